-- Mirror targets: the other copies of the repository (an S3 bucket, a folder such as a USB disk),
-- what each is known to hold, and the history of syncs to it. All three tables belong to
-- mirror.Targets and nothing else.

CREATE TABLE targets (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name              text        NOT NULL UNIQUE,
    kind              text        NOT NULL CHECK (kind IN ('s3', 'folder')),
    -- s3
    endpoint          text,
    region            text,
    bucket            text,
    prefix            text,
    access_key        text,
    -- AES-256-GCM (nonce || ciphertext || tag) under the key in the data directory's targets.key;
    -- the secret itself is never stored in the clear, nor logged.
    secret            bytea,
    -- The last four characters, so a person can tell which secret is set.
    secret_hint       text,
    path_style        boolean,
    checksums         text        CHECK (checksums IN ('WHEN_REQUIRED', 'WHEN_SUPPORTED')),
    -- folder
    path              text,
    -- Schedule as for local sources: daily at a local time, or every N hours.
    daily_at          time,
    every_hours       integer     CHECK (every_hours BETWEEN 1 AND 168),
    enabled           boolean     NOT NULL DEFAULT true,
    bandwidth_limit   bigint      NOT NULL DEFAULT 0 CHECK (bandwidth_limit >= 0),  -- bytes/s, 0 = none
    created           timestamptz NOT NULL,
    -- When the target was last listed in full (drift check); NULL: never, list at the next sync.
    last_full_listing timestamptz,
    CHECK ((daily_at IS NULL) <> (every_hours IS NULL)),
    CHECK (kind <> 's3' OR (endpoint IS NOT NULL AND region IS NOT NULL AND bucket IS NOT NULL AND prefix IS NOT NULL
                            AND access_key IS NOT NULL AND secret IS NOT NULL AND path_style IS NOT NULL
                            AND checksums IS NOT NULL)),
    CHECK (kind <> 'folder' OR path IS NOT NULL)
);

-- Objects known to be complete on a target: recorded after each verified upload, replaced by a
-- full listing. A second sync with nothing new reads this instead of listing the target.
CREATE TABLE target_objects (
    target_id bigint NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    type      text   NOT NULL,
    name      text   NOT NULL,
    size      bigint NOT NULL,
    PRIMARY KEY (target_id, type, name)
);

CREATE TABLE target_syncs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id    bigint      NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    job          bigint,
    started      timestamptz NOT NULL,
    finished     timestamptz,
    state        text        NOT NULL CHECK (state IN ('running', 'succeeded', 'failed')),
    full_listing boolean     NOT NULL DEFAULT false,
    objects      bigint      NOT NULL DEFAULT 0,    -- objects sent by this sync
    bytes        bigint      NOT NULL DEFAULT 0,
    error        text
);
CREATE INDEX target_syncs_target ON target_syncs (target_id, id DESC);
