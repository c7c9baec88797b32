-- Jobs started from the admin panel and the API (restore tests, restores), with their outcome;
-- restore-test history is the finished restore-test jobs. Also the panel's household members:
-- an account's role, and the devices a member may see and restore.

CREATE TABLE jobs (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind     text        NOT NULL,                -- restore-test, restore
    device   text        NOT NULL,
    copy     text        NOT NULL DEFAULT 'local',
    actor    text        NOT NULL,
    state    text        NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
    created  timestamptz NOT NULL,
    started  timestamptz,
    finished timestamptz,
    result   jsonb,
    error    text
);
CREATE INDEX jobs_kind_device ON jobs (kind, device, id DESC);

ALTER TABLE admin_users ADD COLUMN role text NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'member'));

CREATE TABLE member_devices (
    user_id bigint NOT NULL REFERENCES admin_users (id) ON DELETE CASCADE,
    device  text   NOT NULL,
    PRIMARY KEY (user_id, device)
);
