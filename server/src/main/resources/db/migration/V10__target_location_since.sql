-- When a target was last pointed at another bucket or folder: syncs before that went elsewhere, so
-- they no longer make it a copy (the dashboard counts a target from its last good sync since then).
ALTER TABLE targets ADD COLUMN location_since timestamptz;
