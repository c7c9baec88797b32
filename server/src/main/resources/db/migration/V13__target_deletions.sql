-- Copies follow a prune: an object gone from the local repository is removed from a target only
-- after the target's delay, counted from when a sync first saw it gone.

-- When a sync first found the object gone from the local repository; NULL while it is still there.
ALTER TABLE target_objects ADD COLUMN gone_since timestamptz;
CREATE INDEX target_objects_gone ON target_objects (target_id, gone_since) WHERE gone_since IS NOT NULL;

-- How long an object gone locally stays on the target: 30 days by default, 0 removes at the next sync.
ALTER TABLE targets ADD COLUMN delete_delay_seconds bigint NOT NULL DEFAULT 2592000
    CHECK (delete_delay_seconds >= 0);

-- What a sync removed, what still waits for its delay, and what it kept because the copy still needs it.
ALTER TABLE target_syncs ADD COLUMN removed       bigint NOT NULL DEFAULT 0;
ALTER TABLE target_syncs ADD COLUMN removed_bytes bigint NOT NULL DEFAULT 0;
ALTER TABLE target_syncs ADD COLUMN waiting       bigint NOT NULL DEFAULT 0;
ALTER TABLE target_syncs ADD COLUMN next_removal  timestamptz;
ALTER TABLE target_syncs ADD COLUMN kept_note     text;
