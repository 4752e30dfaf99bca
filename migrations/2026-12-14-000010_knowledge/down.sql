DROP SCHEMA knowledge CASCADE;
DROP FUNCTION membership.tags_named(text[]);
DROP TABLE membership.tag_aliases;
ALTER TABLE membership.tags DROP COLUMN label_ja, DROP COLUMN label_en;
