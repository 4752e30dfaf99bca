-- "Who here knows PowerBuilder?" at a million members (issue 11): a page
-- filtered by a rare skill walked the directory in reading order and
-- checked every member for the skill, reading about a thousand members per
-- holder. Skill postings put each skill's holders in reading order, so the
-- page walks its holders instead (see `membership/src/store/directory.rs`),
-- alone or merged with the postings of searched words.
--
-- One row per skill of a listed profile. Like `directory_grams`, a
-- posting says only "may match": whether the viewer may see the member's
-- skills, and the rest of the filter, are checked on the profile.
CREATE TABLE membership.directory_skills (
    tag_id    uuid NOT NULL,
    sort_key  text COLLATE "C" NOT NULL,
    member_id uuid NOT NULL
);

INSERT INTO membership.directory_skills (tag_id, sort_key, member_id)
SELECT s.tag_id, p.sort_key, p.member_id
FROM membership.member_skills AS s
JOIN membership.profiles AS p USING (member_id)
WHERE p.listed_in_directory
ORDER BY 1, 2, 3;

ALTER TABLE membership.directory_skills ADD PRIMARY KEY (tag_id, sort_key, member_id);
-- A member's postings, for when their skills, reading or listing change.
CREATE INDEX directory_skills_member_idx ON membership.directory_skills (member_id);

-- Kept by statement-level triggers on both tables the postings come from,
-- like the gram postings: skills added or removed, and profiles created,
-- re-read, listed, unlisted or removed.
CREATE FUNCTION membership.directory_skills_after_skills_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO membership.directory_skills (tag_id, sort_key, member_id)
    SELECT s.tag_id, p.sort_key, p.member_id
    FROM new_skills AS s
    JOIN membership.profiles AS p USING (member_id)
    WHERE p.listed_in_directory
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE FUNCTION membership.directory_skills_after_skills_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM membership.directory_skills AS d
    USING old_skills AS s
    WHERE d.member_id = s.member_id AND d.tag_id = s.tag_id;
    RETURN NULL;
END
$$;

CREATE FUNCTION membership.directory_skills_after_profiles_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO membership.directory_skills (tag_id, sort_key, member_id)
    SELECT s.tag_id, p.sort_key, p.member_id
    FROM new_profiles AS p
    JOIN membership.member_skills AS s USING (member_id)
    WHERE p.listed_in_directory
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE FUNCTION membership.directory_skills_after_profiles_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    WITH moved AS (
        SELECT n.member_id, n.sort_key, n.listed_in_directory
        FROM old_profiles AS o
        JOIN new_profiles AS n USING (member_id)
        WHERE (o.sort_key, o.listed_in_directory) IS DISTINCT FROM (n.sort_key, n.listed_in_directory)
    ), removed AS (
        -- Never a key the insert below adds: each moved member's reading
        -- or listing differs, so its old postings and new ones differ.
        DELETE FROM membership.directory_skills AS d
        USING moved
        WHERE d.member_id = moved.member_id
    )
    INSERT INTO membership.directory_skills (tag_id, sort_key, member_id)
    SELECT s.tag_id, moved.sort_key, moved.member_id
    FROM moved
    JOIN membership.member_skills AS s USING (member_id)
    WHERE moved.listed_in_directory;
    RETURN NULL;
END
$$;

CREATE FUNCTION membership.directory_skills_after_profiles_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM membership.directory_skills AS d
    USING old_profiles AS p
    WHERE d.member_id = p.member_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER member_skills_directory_skills_insert
    AFTER INSERT ON membership.member_skills
    REFERENCING NEW TABLE AS new_skills
    FOR EACH STATEMENT EXECUTE FUNCTION membership.directory_skills_after_skills_insert();

CREATE TRIGGER member_skills_directory_skills_delete
    AFTER DELETE ON membership.member_skills
    REFERENCING OLD TABLE AS old_skills
    FOR EACH STATEMENT EXECUTE FUNCTION membership.directory_skills_after_skills_delete();

CREATE TRIGGER profiles_directory_skills_insert
    AFTER INSERT ON membership.profiles
    REFERENCING NEW TABLE AS new_profiles
    FOR EACH STATEMENT EXECUTE FUNCTION membership.directory_skills_after_profiles_insert();

CREATE TRIGGER profiles_directory_skills_update
    AFTER UPDATE ON membership.profiles
    REFERENCING OLD TABLE AS old_profiles NEW TABLE AS new_profiles
    FOR EACH STATEMENT EXECUTE FUNCTION membership.directory_skills_after_profiles_update();

CREATE TRIGGER profiles_directory_skills_delete
    AFTER DELETE ON membership.profiles
    REFERENCING OLD TABLE AS old_profiles
    FOR EACH STATEMENT EXECUTE FUNCTION membership.directory_skills_after_profiles_delete();
