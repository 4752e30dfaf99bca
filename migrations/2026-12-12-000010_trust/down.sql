ALTER TABLE events.materials DROP COLUMN moderation;
ALTER TABLE events.events DROP COLUMN moderation;
ALTER TABLE membership.profiles DROP COLUMN moderation;
DROP SCHEMA trust CASCADE;
