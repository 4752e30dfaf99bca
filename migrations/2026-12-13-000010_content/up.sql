-- The content domain: the secretariat's magazine of posts and monthly
-- issues, members' reads, reactions and comments.
CREATE SCHEMA content;

-- Whether a member belongs to a post's or an issue's audience. Lists
-- filter with it in SQL; `alumni_content::visibility::admits` is the same
-- rule for rows already loaded (a test keeps the two in step).
CREATE FUNCTION content.admits(
    audience text, cohort_company_id uuid, cohort_left_from integer,
    cohort_left_to integer, cohort_role text,
    roles text[], company_id uuid, left_year integer
) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 'SECRETARIAT' = ANY(roles) OR CASE audience
        WHEN 'EVERYONE' THEN true
        WHEN 'ALUMNI' THEN 'ALUMNUS' = ANY(roles)
        WHEN 'EMPLOYEES' THEN 'EMPLOYEE' = ANY(roles)
        WHEN 'COHORT' THEN
            (cohort_company_id IS NULL OR cohort_company_id = company_id)
            AND (cohort_left_from IS NULL OR left_year >= cohort_left_from)
            AND (cohort_left_to IS NULL OR left_year <= cohort_left_to)
            AND (cohort_role IS NULL OR cohort_role = ANY(roles))
        ELSE false
    END
$$;

CREATE TABLE content.categories (
    id         uuid PRIMARY KEY,
    name       text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 50),
    position   integer NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE content.posts (
    id                uuid PRIMARY KEY,
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    lead              text NOT NULL CHECK (length(lead) <= 500),
    body              text NOT NULL CHECK (length(body) <= 100000),
    body_html         text NOT NULL,
    category_id       uuid REFERENCES content.categories (id) ON DELETE SET NULL,
    cover_image_url   text CHECK (cover_image_url ~ '^https?://'),
    author_id         uuid REFERENCES membership.members (id) ON DELETE SET NULL,
    state             text NOT NULL CHECK (state IN ('DRAFT', 'SCHEDULED', 'PUBLISHED', 'ARCHIVED')),
    -- When a scheduled post goes out; the job carries it, and publishes
    -- only if it still matches (a rescheduled or unpublished post never
    -- goes out at its old time).
    scheduled_at      timestamptz,
    published_at      timestamptz,
    audience          text NOT NULL CHECK (audience IN ('EVERYONE', 'ALUMNI', 'EMPLOYEES', 'COHORT')),
    cohort_company_id uuid REFERENCES membership.companies (id),
    cohort_left_from  integer CHECK (cohort_left_from BETWEEN 1900 AND 2200),
    cohort_left_to    integer CHECK (cohort_left_to BETWEEN 1900 AND 2200),
    cohort_role       text CHECK (cohort_role IN ('ALUMNUS', 'EMPLOYEE', 'SECRETARIAT', 'MODERATOR', 'ANALYST')),
    moderation        text NOT NULL DEFAULT 'VISIBLE' CHECK (moderation IN ('VISIBLE', 'HELD', 'HIDDEN', 'DELETED')),
    -- Searchable text (title, lead, body as plain text), normalised, and
    -- its grams (see alumni_core::search).
    search_text       text NOT NULL,
    search_grams      text[] NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    CHECK ((state = 'SCHEDULED') = (scheduled_at IS NOT NULL)),
    CHECK (state IN ('DRAFT', 'SCHEDULED') OR published_at IS NOT NULL),
    CHECK ((audience = 'COHORT') OR (cohort_company_id IS NULL AND cohort_left_from IS NULL AND cohort_left_to IS NULL AND cohort_role IS NULL))
);
-- The feed: published posts, newest first.
CREATE INDEX posts_feed_idx ON content.posts (published_at DESC, id DESC) WHERE state = 'PUBLISHED';
CREATE INDEX posts_category_idx ON content.posts (category_id, published_at DESC) WHERE state = 'PUBLISHED';
CREATE INDEX posts_author_idx ON content.posts (author_id) WHERE author_id IS NOT NULL;
CREATE INDEX posts_drafts_idx ON content.posts (updated_at DESC, id DESC) WHERE state <> 'PUBLISHED';
CREATE INDEX posts_search_idx ON content.posts USING gin (search_grams);

CREATE TABLE content.post_coauthors (
    post_id   uuid NOT NULL REFERENCES content.posts (id) ON DELETE CASCADE,
    member_id uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    position  integer NOT NULL,
    PRIMARY KEY (post_id, member_id)
);
CREATE INDEX post_coauthors_member_idx ON content.post_coauthors (member_id);

CREATE TABLE content.post_tags (
    post_id uuid NOT NULL REFERENCES content.posts (id) ON DELETE CASCADE,
    tag_id  uuid NOT NULL REFERENCES membership.tags (id),
    PRIMARY KEY (post_id, tag_id)
);
CREATE INDEX post_tags_tag_idx ON content.post_tags (tag_id);

-- Edits of published posts, for the secretariat.
CREATE TABLE content.post_revisions (
    id        uuid PRIMARY KEY,
    post_id   uuid NOT NULL REFERENCES content.posts (id) ON DELETE CASCADE,
    title     text NOT NULL,
    lead      text NOT NULL,
    body      text NOT NULL,
    edited_by uuid REFERENCES membership.members (id) ON DELETE SET NULL,
    edited_at timestamptz NOT NULL
);
CREATE INDEX post_revisions_post_idx ON content.post_revisions (post_id, edited_at DESC);
CREATE INDEX post_revisions_editor_idx ON content.post_revisions (edited_by) WHERE edited_by IS NOT NULL;

-- Who read what: first and last read. A withdrawing member's reads become
-- anonymous counts in `anonymous_reads`.
CREATE TABLE content.reads (
    post_id       uuid NOT NULL REFERENCES content.posts (id) ON DELETE CASCADE,
    member_id     uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    first_read_at timestamptz NOT NULL,
    last_read_at  timestamptz NOT NULL,
    PRIMARY KEY (post_id, member_id)
);
CREATE INDEX reads_member_idx ON content.reads (member_id, post_id);

CREATE TABLE content.anonymous_reads (
    post_id uuid PRIMARY KEY REFERENCES content.posts (id) ON DELETE CASCADE,
    reads   integer NOT NULL CHECK (reads >= 0)
);

CREATE TABLE content.reactions (
    post_id    uuid NOT NULL REFERENCES content.posts (id) ON DELETE CASCADE,
    member_id  uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('LIKE', 'LEARNED', 'THANKS')),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (post_id, member_id, kind)
);
CREATE INDEX reactions_member_idx ON content.reactions (member_id);

-- Comments, one level deep. A withdrawn member's comments stay with the
-- text erased and no author.
CREATE TABLE content.comments (
    id         uuid PRIMARY KEY,
    post_id    uuid NOT NULL REFERENCES content.posts (id) ON DELETE CASCADE,
    parent_id  uuid REFERENCES content.comments (id) ON DELETE CASCADE,
    author_id  uuid REFERENCES membership.members (id) ON DELETE SET NULL,
    body       text NOT NULL CHECK (length(body) <= 4000),
    moderation text NOT NULL DEFAULT 'VISIBLE' CHECK (moderation IN ('VISIBLE', 'HELD', 'HIDDEN', 'DELETED')),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz
);
CREATE INDEX comments_post_idx ON content.comments (post_id, created_at, id);
CREATE INDEX comments_parent_idx ON content.comments (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX comments_author_idx ON content.comments (author_id) WHERE author_id IS NOT NULL;
