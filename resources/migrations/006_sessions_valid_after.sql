-- Access tokens issued before this instant (ms) are refused: set when an admin resets a
-- user's password or an operator recovers it, so a leaked session dies with the old password.
ALTER TABLE users ADD COLUMN sessions_valid_after INTEGER NOT NULL DEFAULT 0;
