-- SFTP servers as mirror targets: a paired friend's Threefold (a guest account there) or any
-- SFTP server. Owned by mirror.Targets like the rest of the table. The repository's folder is in
-- `path` (relative to the login folder, or absolute); a password, for servers that take one, is
-- sealed in `secret` like an S3 secret key. The host key is pinned by its SHA256 fingerprint.
ALTER TABLE targets DROP CONSTRAINT targets_kind_check;
ALTER TABLE targets ADD CONSTRAINT targets_kind_check CHECK (kind IN ('s3', 'folder', 'sftp'));
ALTER TABLE targets
    ADD COLUMN host      text,
    ADD COLUMN port      integer CHECK (port BETWEEN 1 AND 65535),
    ADD COLUMN user_name text,
    ADD COLUMN host_key  text,
    -- The private key (ed25519, owner-only) the appliance logs in with; for a pairing
    -- DATADIR/peers/<id>/id_ed25519.
    ADD COLUMN key_file  text,
    -- Made by pairing with a friend's Threefold (shown as "at <name>"), not typed in as a server.
    ADD COLUMN peer      boolean NOT NULL DEFAULT false;
ALTER TABLE targets ADD CONSTRAINT targets_sftp_check CHECK (kind <> 'sftp' OR (
    host IS NOT NULL AND port IS NOT NULL AND user_name IS NOT NULL AND host_key IS NOT NULL AND path IS NOT NULL
    AND (key_file IS NOT NULL OR secret IS NOT NULL)));
