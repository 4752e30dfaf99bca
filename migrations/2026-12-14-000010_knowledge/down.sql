DROP SCHEMA knowledge CASCADE;
DROP TABLE membership.tag_aliases;
ALTER TABLE membership.tags DROP COLUMN label_ja, DROP COLUMN label_en;
