-- An invite its owner withdrew before anyone used it (a code sent to the wrong person): its token
-- is refused from then on with a message that says so, not as unknown or expired.
ALTER TABLE peer_invites ADD COLUMN withdrawn timestamptz;
