-- How many files a snapshot no longer has compared with its parent, so a family can see that a
-- backup noticed deletions (the snapshot list shows added, changed and removed side by side).
-- Rows written before this migration count 0: their parent trees were not compared.

ALTER TABLE snapshots ADD COLUMN files_removed bigint NOT NULL DEFAULT 0;
