-- Restore folders: the NAS shares the admin declared as places a restore may write into.
-- Besides these, the folder holding each local source counts as a share (see RestoreFolders).
-- Paths are stored as the admin typed them (absolute, normalised); every check resolves them
-- to their real path again, so a share that is a symbolic link follows its link's current target.

CREATE TABLE restore_folders (
    path  text        PRIMARY KEY,
    added timestamptz NOT NULL
);
