-- Browser sessions of the admin panel, so restarting the appliance does not log everybody out.
-- Only a SHA-256 of the session id is kept (like api_tokens): a leaked catalog or backup of it
-- holds no cookie anyone could present. user_id is NULL for the anonymous sessions that carry the
-- CSRF token of the login and setup forms. What a session keeps in memory (the generated recovery
-- password until the kit is confirmed) is deliberately not stored here.
CREATE TABLE admin_sessions (
    id_hash  bytea       PRIMARY KEY,
    user_id  bigint      REFERENCES admin_users (id) ON DELETE CASCADE,
    csrf     text        NOT NULL,
    expires  timestamptz NOT NULL
);
CREATE INDEX admin_sessions_user ON admin_sessions (user_id);
CREATE INDEX admin_sessions_expires ON admin_sessions (expires);
