-- Proving restores: scheduled restore tests per device and copy, and scrubs of each copy.
-- restore_test_settings, restore_test_results and restore_test_packs belong to proof.RestoreTestLog;
-- scrubs belongs to proof.Scrubs.

-- A device's restore test rhythm; a device without a row is tested every 30 days, in full.
CREATE TABLE restore_test_settings (
    device         text    PRIMARY KEY,
    interval_days  integer NOT NULL CHECK (interval_days BETWEEN 1 AND 365),
    -- 0: read everything; otherwise a sample of about this many bytes of files (every folder is read).
    budget_bytes   bigint  NOT NULL DEFAULT 0 CHECK (budget_bytes >= 0)
);

-- Every restore test that ran (scheduled or by a person), on which copy ('local' or a target's id).
CREATE TABLE restore_test_results (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    device           text             NOT NULL,
    copy             text             NOT NULL,
    copy_name        text             NOT NULL,
    started          timestamptz      NOT NULL,
    finished         timestamptz      NOT NULL,
    passed           boolean          NOT NULL,
    snapshot         text,
    sampled          boolean          NOT NULL DEFAULT false,
    files            bigint           NOT NULL DEFAULT 0,
    bytes            bigint           NOT NULL DEFAULT 0,
    seconds          double precision NOT NULL DEFAULT 0,
    -- [{path, reason}]; a test that could not run at all has error instead.
    failures         jsonb            NOT NULL DEFAULT '[]',
    error            text,
    job_id           bigint           UNIQUE,
    actor            text             NOT NULL
);
CREATE INDEX restore_test_results_device_copy ON restore_test_results (device, copy, finished DESC);

-- The packs sampled restore tests of a device on a copy have read in the current round: the next
-- sample reads the others first, so that every pack is read over successive tests.
CREATE TABLE restore_test_packs (
    device  text NOT NULL,
    copy    text NOT NULL,
    pack    text NOT NULL,
    PRIMARY KEY (device, copy, pack)
);

-- Every scrub of a copy: what it read, what it found damaged, what it repaired from where, and the
-- files that stay damaged because no copy had a good pack.
CREATE TABLE scrubs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    copy        text             NOT NULL,
    copy_name   text             NOT NULL,
    started     timestamptz      NOT NULL,
    finished    timestamptz      NOT NULL,
    packs       bigint           NOT NULL DEFAULT 0,
    bytes       bigint           NOT NULL DEFAULT 0,
    seconds     double precision NOT NULL DEFAULT 0,
    -- [{pack, reason}] found, [{pack, from}] repaired, [{pack, reason}] left, [{snapshot, device, path}] affected.
    damaged     jsonb            NOT NULL DEFAULT '[]',
    repaired    jsonb            NOT NULL DEFAULT '[]',
    unrepaired  jsonb            NOT NULL DEFAULT '[]',
    affected    jsonb            NOT NULL DEFAULT '[]',
    error       text,
    job_id      bigint,
    actor       text             NOT NULL
);
CREATE INDEX scrubs_copy ON scrubs (copy, finished DESC);
