-- The digest's events section: events published since a member's last
-- visit that are still open for registration.
CREATE INDEX events_published_at_idx ON events.events (published_at) WHERE status = 'PUBLISHED';
