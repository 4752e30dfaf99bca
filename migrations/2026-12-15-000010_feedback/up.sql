-- Managers answer the secretariat's proposals: a role of their own.
ALTER TABLE membership.members DROP CONSTRAINT members_roles_check;
ALTER TABLE membership.members ADD CONSTRAINT members_roles_check
    CHECK (roles <@ ARRAY['ALUMNUS', 'EMPLOYEE', 'SECRETARIAT', 'MODERATOR', 'ANALYST', 'MANAGEMENT']);

-- The feedback domain: what alumni tell the company, named or anonymous,
-- the secretariat's triage into themes and its replies.
--
-- Anonymity is a property of the rows: an anonymous item has no author,
-- a random (v4) id that says nothing about when it was written, only the
-- day it arrived, and a receipt code kept as a hash. Nothing else written
-- when it is submitted refers to it; the per-member daily count that
-- limits anonymous submissions (`anonymous_submissions`) is written in a
-- transaction of its own and never names an item.
CREATE SCHEMA feedback;

CREATE TABLE feedback.categories (
    id       uuid PRIMARY KEY,
    slug     text COLLATE "C" NOT NULL UNIQUE CHECK (slug ~ '^[a-z][a-z0-9_]*$'),
    name_ja  text NOT NULL CHECK (length(name_ja) BETWEEN 1 AND 50),
    name_en  text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 50),
    position integer NOT NULL,
    -- Retired categories keep their items but take no new ones.
    retired  boolean NOT NULL DEFAULT false
);

INSERT INTO feedback.categories (id, slug, name_ja, name_en, position) VALUES
    ('01937a00-0000-7000-8000-00000000f001', 'why_i_left', '退職した理由', 'Why I left', 1),
    ('01937a00-0000-7000-8000-00000000f002', 'what_should_change', '変えてほしいこと', 'What should change', 2),
    ('01937a00-0000-7000-8000-00000000f003', 'what_was_good', 'よかったこと', 'What was good', 3),
    ('01937a00-0000-7000-8000-00000000f004', 'other', 'その他', 'Other', 4);

CREATE TABLE feedback.themes (
    id          uuid PRIMARY KEY,
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary     text NOT NULL DEFAULT '' CHECK (length(summary) <= 5000),
    created_by  uuid REFERENCES membership.members (id),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX themes_created_idx ON feedback.themes (created_at DESC, id DESC);

CREATE TABLE feedback.items (
    -- Random (v4) for every item, so ids never order by time.
    id              uuid PRIMARY KEY,
    category_id     uuid NOT NULL REFERENCES feedback.categories (id),
    anonymous       boolean NOT NULL,
    -- The named author; null when anonymous or when the author withdrew.
    author_id       uuid REFERENCES membership.members (id),
    body            text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    -- Cohort attributes the author chose to attach (their own, and only
    -- when the cohort has at least five members).
    company_id      uuid REFERENCES membership.companies (id),
    left_year_band  integer CHECK (left_year_band % 5 = 0),
    -- The day it arrived (Asia/Tokyo), never the time.
    submitted_on    date NOT NULL,
    -- The receipt code's hash (SHA-256), for anonymous items only.
    receipt_hash    bytea UNIQUE,
    triage          text NOT NULL DEFAULT 'NEW' CHECK (triage IN ('NEW', 'THEMED', 'DUPLICATE', 'NO_ACTION')),
    theme_id        uuid REFERENCES feedback.themes (id),
    duplicate_of_id uuid REFERENCES feedback.items (id),
    CHECK (NOT anonymous OR author_id IS NULL),
    CHECK (anonymous = (receipt_hash IS NOT NULL)),
    CHECK ((triage = 'THEMED') = (theme_id IS NOT NULL)),
    CHECK ((triage = 'DUPLICATE') = (duplicate_of_id IS NOT NULL)),
    CHECK (duplicate_of_id <> id)
);
CREATE INDEX items_submitted_idx ON feedback.items (submitted_on DESC, id DESC);
CREATE INDEX items_triage_idx ON feedback.items (triage, submitted_on DESC, id DESC);
CREATE INDEX items_theme_idx ON feedback.items (theme_id) WHERE theme_id IS NOT NULL;
CREATE INDEX items_duplicate_idx ON feedback.items (duplicate_of_id) WHERE duplicate_of_id IS NOT NULL;
CREATE INDEX items_author_idx ON feedback.items (author_id) WHERE author_id IS NOT NULL;
CREATE INDEX items_category_idx ON feedback.items (category_id, submitted_on DESC, id DESC);

-- The secretariat's replies to an item: a named author is notified, an
-- anonymous one reads them with the receipt code.
CREATE TABLE feedback.replies (
    id         uuid PRIMARY KEY,
    item_id    uuid NOT NULL REFERENCES feedback.items (id) ON DELETE CASCADE,
    author_id  uuid REFERENCES membership.members (id),
    body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    created_at timestamptz NOT NULL
);
CREATE INDEX replies_item_idx ON feedback.replies (item_id, created_at, id);

-- How many anonymous items a member submitted on a day: the limit's
-- count, apart from the items (no item id, no time). Past days are
-- deleted by the hourly `feedback.forget_submission_counts` job.
CREATE TABLE feedback.anonymous_submissions (
    member_id uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    day       date NOT NULL,
    count     integer NOT NULL CHECK (count > 0),
    PRIMARY KEY (member_id, day)
);
CREATE INDEX anonymous_submissions_day_idx ON feedback.anonymous_submissions (day);
