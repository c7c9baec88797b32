-- Alerts (package alert): where they go, and the incidents they are about. An incident is one
-- condition on one subject (a device, a copy, the disk) from the moment a check finds it until a
-- check no longer does; one message says it opened and one that it cleared, never more, so a
-- check that runs every minute cannot flood a mailbox.

-- Channels: e-mail over SMTP or a webhook (JSON POST; ntfy is a webhook with its own headers).
-- Owned by alert.Channels.
CREATE TABLE alert_channels (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind     text        NOT NULL CHECK (kind IN ('email', 'webhook', 'ntfy')),
    name     text        NOT NULL UNIQUE,
    -- e-mail: host, port, security (starttls, tls, none), user, from, to; webhook/ntfy: url, priority
    settings jsonb       NOT NULL,
    -- The SMTP password or the webhook's bearer token, sealed under the data directory's targets.key
    -- (as targets' S3 secrets are); never shown again.
    secret   bytea,
    enabled  boolean     NOT NULL DEFAULT true,
    created  timestamptz NOT NULL
);

-- Incidents, open and past. Owned by alert.Incidents.
CREATE TABLE alert_incidents (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    condition    text        NOT NULL,
    subject      text        NOT NULL,
    summary      text        NOT NULL,
    detail       text        NOT NULL,
    opened       timestamptz NOT NULL,
    cleared      timestamptz,
    -- Whether the opening (and the clearing) message reached every channel; a failed delivery is
    -- tried again at the next evaluation, a delivered one never.
    opened_sent  boolean     NOT NULL DEFAULT false,
    cleared_sent boolean     NOT NULL DEFAULT false
);
-- At most one open incident per condition and subject.
CREATE UNIQUE INDEX alert_incidents_open ON alert_incidents (condition, subject) WHERE cleared IS NULL;
