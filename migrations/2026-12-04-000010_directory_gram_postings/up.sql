-- Search that stays fast at a million members (issue 11). The GIN indexes
-- on `name_grams` and `former_grams` find every profile holding some grams,
-- but in no order: a page of a common word meant fetching and sorting all
-- of its matches, and walking `profiles_directory_idx` in reading order
-- instead read everything sorted before them (佐藤 sorts late). Postings
-- put each gram's members in reading order, so a page walks one gram from
-- the cursor on and stops after a page of matches (see
-- `membership/src/store/directory.rs`).
--
-- One row per gram of a listed profile's name or former surnames (the
-- arrays written by alumni_core::search; nothing is computed here but
-- their union). A posting says only "may match": whether a former surname
-- may be searched by the viewer, the member's status and every word of
-- the query are checked on the profile itself.
CREATE TABLE membership.directory_grams (
    gram      text COLLATE "C" NOT NULL,
    sort_key  text COLLATE "C" NOT NULL,
    member_id uuid NOT NULL
);

-- How many postings each gram has, so a search walks its rarest gram.
CREATE TABLE membership.directory_gram_counts (
    gram     text COLLATE "C" PRIMARY KEY,
    -- No CHECK (postings >= 0): triggers add negative changes through
    -- INSERT … ON CONFLICT, whose proposed row is checked before the
    -- conflict turns it into an update.
    postings integer NOT NULL
);

-- In key order, so that a list's postings lie together on the heap (see
-- `reorganise_after_bulk_load` in the store).
INSERT INTO membership.directory_grams (gram, sort_key, member_id)
SELECT DISTINCT gram, p.sort_key, p.member_id
FROM membership.profiles AS p
CROSS JOIN LATERAL unnest(p.name_grams || p.former_grams) AS gram
WHERE p.listed_in_directory
ORDER BY 1, 2, 3;

-- Built after the rows are in, which is much faster than growing it.
ALTER TABLE membership.directory_grams ADD PRIMARY KEY (gram, sort_key, member_id);

INSERT INTO membership.directory_gram_counts (gram, postings)
SELECT gram, count(*) FROM membership.directory_grams GROUP BY gram;

-- Postings follow the profiles whatever code writes them. Statement-level
-- triggers see a bulk insert's rows at once (the synthetic generator writes
-- 2,000 profiles per statement), and an update touches only the postings
-- that differ, so an ordinary profile edit (bio, skills) costs nothing
-- here. Counts are changed in gram order, so concurrent writers lock the
-- shared rows of common grams in the same order and cannot deadlock.
CREATE FUNCTION membership.directory_grams_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    WITH added AS (
        INSERT INTO membership.directory_grams (gram, sort_key, member_id)
        SELECT DISTINCT gram, p.sort_key, p.member_id
        FROM new_profiles AS p
        CROSS JOIN LATERAL unnest(p.name_grams || p.former_grams) AS gram
        WHERE p.listed_in_directory
        RETURNING gram
    )
    INSERT INTO membership.directory_gram_counts AS counts (gram, postings)
    SELECT gram, count(*) FROM added GROUP BY gram ORDER BY gram
    ON CONFLICT (gram) DO UPDATE SET postings = counts.postings + excluded.postings;
    RETURN NULL;
END
$$;

CREATE FUNCTION membership.directory_grams_after_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    WITH changed AS (
        SELECT o.member_id
        FROM old_profiles AS o
        JOIN new_profiles AS n USING (member_id)
        WHERE (o.sort_key, o.name_grams, o.former_grams, o.listed_in_directory)
              IS DISTINCT FROM (n.sort_key, n.name_grams, n.former_grams, n.listed_in_directory)
    ), before AS (
        SELECT DISTINCT gram, p.sort_key, p.member_id
        FROM old_profiles AS p
        JOIN changed USING (member_id)
        CROSS JOIN LATERAL unnest(p.name_grams || p.former_grams) AS gram
        WHERE p.listed_in_directory
    ), after AS (
        SELECT DISTINCT gram, p.sort_key, p.member_id
        FROM new_profiles AS p
        JOIN changed USING (member_id)
        CROSS JOIN LATERAL unnest(p.name_grams || p.former_grams) AS gram
        WHERE p.listed_in_directory
    ), removed AS (
        DELETE FROM membership.directory_grams AS d
        USING (SELECT * FROM before EXCEPT SELECT * FROM after) AS gone
        WHERE (d.gram, d.sort_key, d.member_id) = (gone.gram, gone.sort_key, gone.member_id)
        RETURNING d.gram
    ), added AS (
        INSERT INTO membership.directory_grams (gram, sort_key, member_id)
        SELECT * FROM after EXCEPT SELECT * FROM before
        RETURNING gram
    )
    INSERT INTO membership.directory_gram_counts AS counts (gram, postings)
    SELECT gram, sum(delta)
    FROM (SELECT gram, -1 AS delta FROM removed UNION ALL SELECT gram, 1 FROM added) AS deltas
    GROUP BY gram
    HAVING sum(delta) <> 0
    ORDER BY gram
    ON CONFLICT (gram) DO UPDATE SET postings = counts.postings + excluded.postings;
    RETURN NULL;
END
$$;

CREATE FUNCTION membership.directory_grams_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    WITH removed AS (
        DELETE FROM membership.directory_grams AS d
        USING old_profiles AS p
        CROSS JOIN LATERAL unnest(p.name_grams || p.former_grams) AS posted (gram)
        WHERE p.listed_in_directory
          AND (d.gram, d.sort_key, d.member_id) = (posted.gram, p.sort_key, p.member_id)
        RETURNING d.gram
    )
    INSERT INTO membership.directory_gram_counts AS counts (gram, postings)
    SELECT gram, -count(*) FROM removed GROUP BY gram ORDER BY gram
    ON CONFLICT (gram) DO UPDATE SET postings = counts.postings + excluded.postings;
    RETURN NULL;
END
$$;

CREATE TRIGGER profiles_directory_grams_insert
    AFTER INSERT ON membership.profiles
    REFERENCING NEW TABLE AS new_profiles
    FOR EACH STATEMENT EXECUTE FUNCTION membership.directory_grams_after_insert();

CREATE TRIGGER profiles_directory_grams_update
    AFTER UPDATE ON membership.profiles
    REFERENCING OLD TABLE AS old_profiles NEW TABLE AS new_profiles
    FOR EACH STATEMENT EXECUTE FUNCTION membership.directory_grams_after_update();

CREATE TRIGGER profiles_directory_grams_delete
    AFTER DELETE ON membership.profiles
    REFERENCING OLD TABLE AS old_profiles
    FOR EACH STATEMENT EXECUTE FUNCTION membership.directory_grams_after_delete();
