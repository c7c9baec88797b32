-- Pairing two appliances (docs/peers.md). On the host B: invites (only a hash of each one-time
-- token), guests (other appliances keeping their copy here, each an SFTP account confined to its
-- folder) and the deletions they asked for, carried out after B's grace period; all three belong
-- to peer.Guests. On the guest A: its pairings with hosts, owned by peer.Pairings.

CREATE TABLE peer_invites (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash  bytea       NOT NULL UNIQUE,      -- SHA-256 of the token; the token itself is never stored
    name        text        NOT NULL,             -- the name B offers itself under ("Sam's NAS")
    host        text        NOT NULL,
    port        integer     NOT NULL CHECK (port BETWEEN 1 AND 65535),
    quota       bigint      NOT NULL CHECK (quota > 0),
    created     timestamptz NOT NULL,
    expires     timestamptz NOT NULL,
    spent       timestamptz,
    guest       text                              -- the account the invite became
);

CREATE TABLE peer_guests (
    user_name      text        PRIMARY KEY CHECK (user_name ~ '^guest-[0-9a-f]{8}$'),
    name           text        NOT NULL,          -- the guest's own name ("Alex's NAS")
    public_key     text        NOT NULL,          -- one OpenSSH line: the guest's only way in
    key_fingerprint text       NOT NULL,
    host_key       text,                          -- the guest's own host key fingerprint, for a pairing back
    quota          bigint      NOT NULL CHECK (quota > 0),
    created        timestamptz NOT NULL,
    last_contact   timestamptz,
    unpaired       timestamptz                    -- set: every login is refused; the folder stays
);

CREATE TABLE peer_deletions (
    user_name  text        NOT NULL REFERENCES peer_guests (user_name) ON DELETE CASCADE,
    path       text        NOT NULL,              -- relative to the guest's folder, '/'-separated
    requested  timestamptz NOT NULL,
    due        timestamptz NOT NULL,
    PRIMARY KEY (user_name, path)
);

CREATE TABLE peer_pairings (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL,             -- the host's name as its code gave it
    host        text        NOT NULL,
    port        integer     NOT NULL CHECK (port BETWEEN 1 AND 65535),
    host_key    text        NOT NULL,             -- pinned: SHA256:… of the host's key
    user_name   text        NOT NULL,
    key_path    text        NOT NULL,             -- DATADIR/peers/<id>/id_ed25519
    quota       bigint      NOT NULL,
    grace_days  integer     NOT NULL,
    target_id   bigint,                           -- the copy target made for it, once made
    created     timestamptz NOT NULL
);
