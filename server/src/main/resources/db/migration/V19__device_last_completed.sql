-- When a device's session last ended without error: a nightly sync that changes nothing writes no
-- snapshot but is a backup all the same, so lateness counts from the later of this and the newest
-- snapshot. Owned by device.Devices like the rest of the row.

ALTER TABLE devices
    ADD COLUMN last_completed timestamptz;
