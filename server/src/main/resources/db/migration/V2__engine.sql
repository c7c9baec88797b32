-- The engine's part of the catalog: a copy of what the repository's index files and snapshots say,
-- kept so that dedup look-ups and browsing never load the whole index into the heap.
-- Everything here can be rebuilt from the repository (see docs/repository.md, "The catalog").

-- The index files the catalog was built from: a file missing from the repository (pruned by
-- restic, say) means the catalog is stale and is rebuilt.
CREATE TABLE index_files (
    id    bytea PRIMARY KEY,
    added timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE packs (
    id      bytea    PRIMARY KEY,
    type    smallint NOT NULL,           -- 0 data, 1 tree
    size    bigint   NOT NULL,            -- bytes of blobs, without the header
    added   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE blobs (
    id                  bytea    NOT NULL,
    type                smallint NOT NULL,
    pack                bytea    NOT NULL REFERENCES packs (id) ON DELETE CASCADE,
    "offset"            integer  NOT NULL,
    length              integer  NOT NULL,
    uncompressed_length integer  NOT NULL,  -- 0: stored without compression
    PRIMARY KEY (id, type)
);
CREATE INDEX blobs_pack ON blobs (pack);

-- Whole-file SHA-256 recorded at ingest, keyed by SHA-256 over the file's blob ids in order, so
-- unchanged files in later snapshots share one row. Restore tests compare against it.
CREATE TABLE file_contents (
    content_key bytea  PRIMARY KEY,
    size        bigint NOT NULL,
    sha256      bytea  NOT NULL
);

CREATE TABLE snapshots (
    id              bytea       PRIMARY KEY,
    device          text        NOT NULL,
    time            timestamptz NOT NULL,
    parent          bytea,
    tree            bytea       NOT NULL,
    files           bigint      NOT NULL DEFAULT 0,
    bytes           bigint      NOT NULL DEFAULT 0,
    bytes_added     bigint      NOT NULL DEFAULT 0,
    files_new       bigint      NOT NULL DEFAULT 0,
    files_changed   bigint      NOT NULL DEFAULT 0,
    files_unchanged bigint      NOT NULL DEFAULT 0,
    recovered       boolean     NOT NULL DEFAULT false
);
CREATE INDEX snapshots_device_time ON snapshots (device, time DESC);
