-- Devices that back themselves up: how often each is expected to (its rhythm, daily by default),
-- and where and when it last connected, so a late device can be named with a clue ("it last
-- connected from 192.168.1.23 on …"). Owned by device.Devices like the rest of the row.

ALTER TABLE devices
    ADD COLUMN rhythm_hours   integer NOT NULL DEFAULT 24 CHECK (rhythm_hours BETWEEN 1 AND 744),
    ADD COLUMN last_address   text,
    ADD COLUMN last_connected timestamptz;
