-- Retention (docs/retention.md): which snapshots each device and local source keeps, pins and
-- labels on snapshots, and a short history of the repository's size for the space forecast.

-- One policy per subject: a device's or local source's name (their snapshots' hostname), or
-- '*archived' for every deleted device. No row: the default policy (KeepPolicy.DEFAULT, or
-- KeepPolicy.ARCHIVED_DEFAULT for deleted devices). Counts of 0 turn a rule off; keep_within is
-- restic's duration form (48h, 90d, 1y6m; '0' for off). Owner: retention.RetentionPolicies.
CREATE TABLE retention_policies (
    subject      text        PRIMARY KEY,
    keep_last    integer     NOT NULL DEFAULT 0 CHECK (keep_last >= 0),
    keep_hourly  integer     NOT NULL DEFAULT 0 CHECK (keep_hourly >= 0),
    keep_daily   integer     NOT NULL DEFAULT 0 CHECK (keep_daily >= 0),
    keep_weekly  integer     NOT NULL DEFAULT 0 CHECK (keep_weekly >= 0),
    keep_monthly integer     NOT NULL DEFAULT 0 CHECK (keep_monthly >= 0),
    keep_yearly  integer     NOT NULL DEFAULT 0 CHECK (keep_yearly >= 0),
    keep_within  text        NOT NULL DEFAULT '0',
    changed      timestamptz NOT NULL,
    actor        text        NOT NULL
);

-- Pins (kept whatever the policy) and labels, by snapshot id. Threefold's own: restic knows
-- nothing of them, and they are not rebuilt from the repository. Owner: retention.SnapshotMarks.
CREATE TABLE snapshot_marks (
    snapshot bytea   PRIMARY KEY,
    hostname text    NOT NULL,
    pinned   boolean NOT NULL DEFAULT false,
    label    text    NOT NULL DEFAULT ''
);

-- The repository's stored bytes, one sample a day, for the "disk full in N days" forecast; and
-- each hostname's unique and shared bytes as the last space walk found them. Owner: retention.Space.
CREATE TABLE stored_bytes_history (
    day   date   PRIMARY KEY,
    bytes bigint NOT NULL
);

CREATE TABLE hostname_space (
    hostname     text        PRIMARY KEY,
    unique_bytes bigint      NOT NULL,
    shared_bytes bigint      NOT NULL,
    snapshots    integer     NOT NULL,
    computed     timestamptz NOT NULL
);
