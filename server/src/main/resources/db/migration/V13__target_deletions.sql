-- Copies follow a prune: an object gone from the local repository is removed from a target only
-- after the target's delay, counted from when a sync first saw it gone.

-- When a sync first found the object gone from the local repository; NULL while it is still there.
ALTER TABLE target_objects ADD COLUMN gone_since timestamptz;
-- When it may go at the earliest: gone_since plus the delay the target had then. A later, shorter
-- delay does not bring it forward; a longer one pushes it back (the due date is the later of the two).
ALTER TABLE target_objects ADD COLUMN remove_after timestamptz;
CREATE INDEX target_objects_gone ON target_objects (target_id, gone_since) WHERE gone_since IS NOT NULL;

-- How long an object gone locally stays on the target; 0 removes at the next sync, NULL never removes.
-- Targets that exist before this migration never remove (their owners did not ask for deletions on
-- the copy); their page offers to opt in. Targets added from now on wait 30 days.
ALTER TABLE targets ADD COLUMN delete_delay_seconds bigint CHECK (delete_delay_seconds >= 0);
ALTER TABLE targets ALTER COLUMN delete_delay_seconds SET DEFAULT 2592000;

-- What a sync removed, what still waits for its delay, and what it kept because the copy still needs it.
ALTER TABLE target_syncs ADD COLUMN removed       bigint NOT NULL DEFAULT 0;
ALTER TABLE target_syncs ADD COLUMN removed_bytes bigint NOT NULL DEFAULT 0;
ALTER TABLE target_syncs ADD COLUMN waiting       bigint NOT NULL DEFAULT 0;
ALTER TABLE target_syncs ADD COLUMN next_removal  timestamptz;
ALTER TABLE target_syncs ADD COLUMN kept_note     text;
