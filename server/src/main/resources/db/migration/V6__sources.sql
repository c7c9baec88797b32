-- Local sources: folders on the NAS itself (the family photo share, say) that the appliance
-- snapshots on a schedule. A source's snapshots carry its name as the restic hostname, like a
-- device's, so a name belongs either to an SFTP device or to a local source, never both.

CREATE TABLE local_sources (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text        NOT NULL UNIQUE,
    path          text        NOT NULL,                 -- absolute folder path on the NAS
    -- The schedule is one of: daily at a local time of the appliance's zone, or every N hours.
    daily_at      time,
    every_hours   integer     CHECK (every_hours BETWEEN 1 AND 168),
    enabled       boolean     NOT NULL DEFAULT true,
    created       timestamptz NOT NULL,
    -- The last run (the next one is computed from when it started).
    last_started  timestamptz,
    last_finished timestamptz,
    last_status   text        CHECK (last_status IN ('running', 'succeeded', 'incomplete', 'failed')),
    last_snapshot bytea,
    last_error    text,
    last_job      bigint,
    CHECK ((daily_at IS NULL) <> (every_hours IS NULL))
);

-- One name space for devices and local sources. The advisory lock serialises the check with a
-- concurrent insert into the other table, so two admins cannot slip the same name into both.
CREATE FUNCTION snapshot_owner_name_is_free() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('threefold snapshot owner names'));
    IF TG_TABLE_NAME = 'devices' AND EXISTS (SELECT 1 FROM local_sources WHERE name = NEW.name) THEN
        RAISE EXCEPTION 'a local source is named %', NEW.name USING ERRCODE = 'unique_violation';
    END IF;
    IF TG_TABLE_NAME = 'local_sources' AND EXISTS (SELECT 1 FROM devices WHERE name = NEW.name) THEN
        RAISE EXCEPTION 'a device is named %', NEW.name USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER devices_name_is_free BEFORE INSERT OR UPDATE OF name ON devices
    FOR EACH ROW EXECUTE FUNCTION snapshot_owner_name_is_free();
CREATE TRIGGER local_sources_name_is_free BEFORE INSERT OR UPDATE OF name ON local_sources
    FOR EACH ROW EXECUTE FUNCTION snapshot_owner_name_is_free();
