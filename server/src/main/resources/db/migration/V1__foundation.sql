-- Foundation: administrators, API tokens, settings and the audit log.
-- Later migrations: V2__engine.sql (engine), V3__devices.sql (SFTP devices).

CREATE TABLE admin_users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text        NOT NULL UNIQUE,
    password_hash text        NOT NULL,
    created       timestamptz NOT NULL
);

-- Only a SHA-256 of each token is kept: a leaked catalog does not leak usable tokens.
CREATE TABLE api_tokens (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash bytea       NOT NULL UNIQUE,
    user_id    bigint      NOT NULL REFERENCES admin_users (id) ON DELETE CASCADE,
    label      text        NOT NULL DEFAULT '',
    created    timestamptz NOT NULL,
    last_used  timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE audit_log (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    time   timestamptz NOT NULL,
    actor  text        NOT NULL,
    action text        NOT NULL,
    detail jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_time ON audit_log (time);
