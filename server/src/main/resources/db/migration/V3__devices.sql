-- SFTP devices: the household machines that push backups. A device's snapshots carry its name as
-- the restic hostname, so names are restricted to safe characters (see Devices).

CREATE TABLE devices (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text        NOT NULL UNIQUE,
    password_hash text,                          -- Argon2id PHC string; null: keys only
    enabled       boolean     NOT NULL DEFAULT true,
    quota_bytes   bigint      NOT NULL DEFAULT 0, -- 0: no quota
    bytes_added   bigint      NOT NULL DEFAULT 0, -- what its sessions grew the repository by
    created       timestamptz NOT NULL
);

-- Authorized OpenSSH public keys; logins match on the SHA256 fingerprint of the key blob.
CREATE TABLE device_keys (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device      bigint NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    public_key  text   NOT NULL,
    fingerprint text   NOT NULL,
    UNIQUE (device, fingerprint)
);
