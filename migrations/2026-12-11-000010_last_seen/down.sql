ALTER TABLE membership.members DROP COLUMN last_seen_at;
