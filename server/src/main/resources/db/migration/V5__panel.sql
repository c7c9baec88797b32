-- How many files a snapshot no longer has compared with its parent, so a family can see that a
-- backup noticed deletions (the snapshot list shows new, changed and removed side by side).
-- Rows written before this migration count 0: their parent trees were not compared.

ALTER TABLE snapshots ADD COLUMN files_removed bigint NOT NULL DEFAULT 0;

-- Devices an admin deleted. Their snapshots stay in the repository (nothing is deleted there), so
-- the panel lists them as archived instead of as a device that stopped backing up. Adding a device
-- of the same name removes the row: its new snapshots continue the same history.
CREATE TABLE archived_devices (
    name     text        PRIMARY KEY,
    archived timestamptz NOT NULL,
    actor    text        NOT NULL
);
