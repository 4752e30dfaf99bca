-- The shared tag vocabulary gets curation: Japanese and English labels,
-- and aliases (synonyms in any script) that resolve to one tag. A slug is
-- either a tag's or an alias's, never both (the services check both
-- tables under the vocabulary's advisory lock).
ALTER TABLE membership.tags
    ADD COLUMN label_ja text CHECK (length(label_ja) BETWEEN 1 AND 50),
    ADD COLUMN label_en text CHECK (length(label_en) BETWEEN 1 AND 50);

CREATE TABLE membership.tag_aliases (
    slug       text COLLATE "C" PRIMARY KEY CHECK (slug <> ''),
    tag_id     uuid NOT NULL REFERENCES membership.tags (id) ON DELETE CASCADE,
    -- As written, e.g. "k8s" or "クバネティス".
    name       text NOT NULL CHECK (btrim(name) <> ''),
    created_at timestamptz NOT NULL
);
CREATE INDEX tag_aliases_tag_idx ON membership.tag_aliases (tag_id);

-- The tags some slugs name, each by its own slug or by an alias's. Every
-- look-up of tags by slug goes through it, membership's own and other
-- domains' filters in SQL alike, so aliases resolve everywhere. Used in
-- FROM (`SELECT * FROM membership.tags_named(...)`), it is inlined by the
-- planner into two index probes.
CREATE FUNCTION membership.tags_named(slugs text[]) RETURNS SETOF uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT t.id FROM membership.tags AS t WHERE t.slug = ANY (slugs)
    UNION ALL
    SELECT a.tag_id FROM membership.tag_aliases AS a WHERE a.slug = ANY (slugs)
$$;

-- The knowledge domain: members' articles, questions and answers, the
-- routing of questions to willing experts, consultations, and the
-- collaboration board. References to tags are plain foreign keys without
-- a cascade: merging tags moves them (`Domain::merge_tag`), and a
-- reference left behind makes the merge fail instead of vanishing.
CREATE SCHEMA knowledge;

CREATE TABLE knowledge.articles (
    id            uuid PRIMARY KEY,
    author_id     uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body          text NOT NULL CHECK (length(body) <= 100000),
    body_html     text NOT NULL,
    audience      text NOT NULL CHECK (audience IN ('EVERYONE', 'ALUMNI', 'EMPLOYEES')),
    state         text NOT NULL CHECK (state IN ('DRAFT', 'PUBLISHED')),
    moderation    text NOT NULL DEFAULT 'VISIBLE' CHECK (moderation IN ('VISIBLE', 'HELD', 'HIDDEN', 'DELETED')),
    helpful_count integer NOT NULL DEFAULT 0 CHECK (helpful_count >= 0),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    published_at  timestamptz,
    CHECK (state = 'DRAFT' OR published_at IS NOT NULL)
);
CREATE INDEX articles_published_idx ON knowledge.articles (published_at DESC, id DESC) WHERE state = 'PUBLISHED';
CREATE INDEX articles_author_idx ON knowledge.articles (author_id, updated_at DESC);

CREATE TABLE knowledge.article_tags (
    article_id uuid NOT NULL REFERENCES knowledge.articles (id) ON DELETE CASCADE,
    tag_id     uuid NOT NULL REFERENCES membership.tags (id),
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag_idx ON knowledge.article_tags (tag_id, article_id);

-- Each edit of a published article keeps the text it replaced.
CREATE TABLE knowledge.article_revisions (
    id         uuid PRIMARY KEY,
    article_id uuid NOT NULL REFERENCES knowledge.articles (id) ON DELETE CASCADE,
    title      text NOT NULL,
    body       text NOT NULL,
    edited_at  timestamptz NOT NULL
);
CREATE INDEX article_revisions_article_idx ON knowledge.article_revisions (article_id, edited_at DESC);

-- Comments on articles, one level deep. A withdrawn member's comments
-- stay (replies hang on them) with the text erased and no author.
CREATE TABLE knowledge.article_comments (
    id         uuid PRIMARY KEY,
    article_id uuid NOT NULL REFERENCES knowledge.articles (id) ON DELETE CASCADE,
    parent_id  uuid REFERENCES knowledge.article_comments (id) ON DELETE CASCADE,
    author_id  uuid REFERENCES membership.members (id) ON DELETE SET NULL,
    body       text NOT NULL CHECK (length(body) <= 4000),
    moderation text NOT NULL DEFAULT 'VISIBLE' CHECK (moderation IN ('VISIBLE', 'HELD', 'HIDDEN', 'DELETED')),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz
);
CREATE INDEX article_comments_article_idx ON knowledge.article_comments (article_id, id);
CREATE INDEX article_comments_author_idx ON knowledge.article_comments (author_id) WHERE author_id IS NOT NULL;

CREATE TABLE knowledge.questions (
    id                 uuid PRIMARY KEY,
    -- NULL once the asker has withdrawn: the question stays for others.
    author_id          uuid REFERENCES membership.members (id) ON DELETE SET NULL,
    title              text NOT NULL CHECK (length(title) BETWEEN 5 AND 200),
    body               text NOT NULL CHECK (length(body) <= 20000),
    body_html          text NOT NULL,
    moderation         text NOT NULL DEFAULT 'VISIBLE' CHECK (moderation IN ('VISIBLE', 'HELD', 'HIDDEN', 'DELETED')),
    accepted_answer_id uuid,
    duplicate_of_id    uuid REFERENCES knowledge.questions (id) ON DELETE SET NULL,
    -- Visible answers, kept by the services: "unanswered" is zero.
    answer_count       integer NOT NULL DEFAULT 0 CHECK (answer_count >= 0),
    helpful_count      integer NOT NULL DEFAULT 0 CHECK (helpful_count >= 0),
    last_answer_at     timestamptz,
    -- Rounds of routing done (0 before the first), and when the question
    -- was handed to the secretariat after the last.
    routing_round      smallint NOT NULL DEFAULT 0 CHECK (routing_round BETWEEN 0 AND 2),
    escalated_at       timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    CHECK (duplicate_of_id IS NULL OR duplicate_of_id <> id)
);
-- Unanswered, newest first: the key of the lists is (created_at, id).
CREATE INDEX questions_unanswered_idx ON knowledge.questions (created_at DESC, id DESC)
    WHERE answer_count = 0 AND duplicate_of_id IS NULL AND moderation = 'VISIBLE';
CREATE INDEX questions_answered_idx ON knowledge.questions (last_answer_at DESC, id DESC)
    WHERE last_answer_at IS NOT NULL;
CREATE INDEX questions_newest_idx ON knowledge.questions (created_at DESC, id DESC);
CREATE INDEX questions_escalated_idx ON knowledge.questions (escalated_at DESC, id DESC)
    WHERE escalated_at IS NOT NULL AND answer_count = 0;
CREATE INDEX questions_author_idx ON knowledge.questions (author_id) WHERE author_id IS NOT NULL;
CREATE INDEX questions_duplicate_idx ON knowledge.questions (duplicate_of_id) WHERE duplicate_of_id IS NOT NULL;

CREATE TABLE knowledge.question_tags (
    question_id uuid NOT NULL REFERENCES knowledge.questions (id) ON DELETE CASCADE,
    tag_id      uuid NOT NULL REFERENCES membership.tags (id),
    PRIMARY KEY (question_id, tag_id)
);
CREATE INDEX question_tags_tag_idx ON knowledge.question_tags (tag_id, question_id DESC);

CREATE TABLE knowledge.answers (
    id            uuid PRIMARY KEY,
    question_id   uuid NOT NULL REFERENCES knowledge.questions (id) ON DELETE CASCADE,
    author_id     uuid REFERENCES membership.members (id) ON DELETE SET NULL,
    body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    body_html     text NOT NULL,
    moderation    text NOT NULL DEFAULT 'VISIBLE' CHECK (moderation IN ('VISIBLE', 'HELD', 'HIDDEN', 'DELETED')),
    helpful_count integer NOT NULL DEFAULT 0 CHECK (helpful_count >= 0),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX answers_question_idx ON knowledge.answers (question_id, id);
CREATE INDEX answers_author_idx ON knowledge.answers (author_id) WHERE author_id IS NOT NULL;
ALTER TABLE knowledge.questions ADD FOREIGN KEY (accepted_answer_id)
    REFERENCES knowledge.answers (id) ON DELETE SET NULL;

-- "Helpful" marks, one per member and article, question or answer (ids
-- are unique across the three).
CREATE TABLE knowledge.helpful_marks (
    subject_id uuid NOT NULL,
    member_id  uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (subject_id, member_id)
);
CREATE INDEX helpful_marks_member_idx ON knowledge.helpful_marks (member_id);

-- Tags a member follows, for their digest.
CREATE TABLE knowledge.tag_follows (
    member_id  uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    tag_id     uuid NOT NULL REFERENCES membership.tags (id),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (member_id, tag_id)
);
CREATE INDEX tag_follows_tag_idx ON knowledge.tag_follows (tag_id);

-- Whether a member is open to questions, per skill of their profile.
-- Routing asks only members who said OPEN or LIMITED (with a cap on the
-- requests they have open at once).
CREATE TABLE knowledge.skill_availability (
    member_id         uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    tag_id            uuid NOT NULL REFERENCES membership.tags (id),
    availability      text NOT NULL CHECK (availability IN ('OPEN', 'LIMITED', 'CLOSED')),
    max_open_requests integer CHECK (max_open_requests BETWEEN 1 AND 20),
    updated_at        timestamptz NOT NULL,
    PRIMARY KEY (member_id, tag_id),
    CHECK ((availability = 'LIMITED') = (max_open_requests IS NOT NULL))
);
CREATE INDEX skill_availability_tag_idx ON knowledge.skill_availability (tag_id, member_id) WHERE availability <> 'CLOSED';

-- Who was asked to look at which question, in which round. The key makes
-- asking a member twice about one question impossible.
CREATE TABLE knowledge.question_routes (
    question_id uuid NOT NULL REFERENCES knowledge.questions (id) ON DELETE CASCADE,
    member_id   uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    round       smallint NOT NULL CHECK (round BETWEEN 1 AND 2),
    routed_at   timestamptz NOT NULL,
    PRIMARY KEY (question_id, member_id)
);
-- How often each member was asked lately, to spread requests.
CREATE INDEX question_routes_member_idx ON knowledge.question_routes (member_id, routed_at DESC);

-- A member's settings as an expert for consultations.
CREATE TABLE knowledge.expert_settings (
    member_id              uuid PRIMARY KEY REFERENCES membership.members (id) ON DELETE CASCADE,
    accepts_consultations  boolean NOT NULL,
    max_pending            integer NOT NULL CHECK (max_pending BETWEEN 1 AND 20),
    updated_at             timestamptz NOT NULL
);

CREATE TABLE knowledge.consultations (
    id           uuid PRIMARY KEY,
    requester_id uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    expert_id    uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    topic        text NOT NULL CHECK (length(topic) BETWEEN 1 AND 200),
    message      text NOT NULL CHECK (length(message) BETWEEN 1 AND 4000),
    state        text NOT NULL CHECK (state IN ('PENDING', 'ACCEPTED', 'DECLINED', 'EXPIRED', 'WITHDRAWN')),
    reply        text CHECK (length(reply) <= 2000),
    -- Chosen by the expert on accepting: whether the requester sees their
    -- e-mail address (links follow the profile's own visibility).
    share_email  boolean NOT NULL DEFAULT false,
    moderation   text NOT NULL DEFAULT 'VISIBLE' CHECK (moderation IN ('VISIBLE', 'HELD', 'HIDDEN', 'DELETED')),
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    responded_at timestamptz,
    CHECK (requester_id <> expert_id),
    CHECK ((state IN ('PENDING', 'EXPIRED', 'WITHDRAWN')) = (responded_at IS NULL))
);
CREATE INDEX consultations_requester_idx ON knowledge.consultations (requester_id, id DESC);
CREATE INDEX consultations_expert_idx ON knowledge.consultations (expert_id, id DESC);
CREATE INDEX consultations_pending_idx ON knowledge.consultations (expires_at) WHERE state = 'PENDING';
-- One pending request from a member to an expert at a time.
CREATE UNIQUE INDEX consultations_one_pending_key ON knowledge.consultations (requester_id, expert_id) WHERE state = 'PENDING';

CREATE TABLE knowledge.consultation_tags (
    consultation_id uuid NOT NULL REFERENCES knowledge.consultations (id) ON DELETE CASCADE,
    tag_id          uuid NOT NULL REFERENCES membership.tags (id),
    PRIMARY KEY (consultation_id, tag_id)
);
CREATE INDEX consultation_tags_tag_idx ON knowledge.consultation_tags (tag_id);

-- Kinds of collaboration post: data the secretariat can extend.
CREATE TABLE knowledge.board_kinds (
    slug     text COLLATE "C" PRIMARY KEY CHECK (slug ~ '^[a-z][a-z0-9_]{0,31}$'),
    name_ja  text NOT NULL CHECK (length(name_ja) BETWEEN 1 AND 50),
    name_en  text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 50),
    position integer NOT NULL
);
INSERT INTO knowledge.board_kinds (slug, name_ja, name_en, position) VALUES
    ('project_partner', 'プロジェクトの仲間', 'Project partner', 1),
    ('speaker', '登壇者', 'Speaker', 2),
    ('side_business', '副業・複業', 'Side business', 3),
    ('study_group', '勉強会', 'Study group', 4),
    ('other', 'その他', 'Other', 5);

CREATE TABLE knowledge.board_posts (
    id         uuid PRIMARY KEY,
    author_id  uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    kind       text NOT NULL REFERENCES knowledge.board_kinds (slug) ON UPDATE CASCADE,
    direction  text NOT NULL CHECK (direction IN ('OFFERING', 'SEEKING')),
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body       text NOT NULL CHECK (length(body) <= 10000),
    body_html  text NOT NULL,
    moderation text NOT NULL DEFAULT 'VISIBLE' CHECK (moderation IN ('VISIBLE', 'HELD', 'HIDDEN', 'DELETED')),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    -- 30 days after posting or the last renewal.
    expires_at timestamptz NOT NULL,
    closed_at  timestamptz,
    -- Set when the author was told the post expired.
    expiry_noticed_at timestamptz
);
CREATE INDEX board_posts_open_idx ON knowledge.board_posts (id DESC) WHERE closed_at IS NULL;
CREATE INDEX board_posts_expiry_idx ON knowledge.board_posts (expires_at) WHERE closed_at IS NULL AND expiry_noticed_at IS NULL;
CREATE INDEX board_posts_author_idx ON knowledge.board_posts (author_id, id DESC);

CREATE TABLE knowledge.board_post_tags (
    post_id uuid NOT NULL REFERENCES knowledge.board_posts (id) ON DELETE CASCADE,
    tag_id  uuid NOT NULL REFERENCES membership.tags (id),
    PRIMARY KEY (post_id, tag_id)
);
CREATE INDEX board_post_tags_tag_idx ON knowledge.board_post_tags (tag_id);

-- Members who would like to take part; only the post's author sees them.
CREATE TABLE knowledge.board_interests (
    post_id    uuid NOT NULL REFERENCES knowledge.board_posts (id) ON DELETE CASCADE,
    member_id  uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    message    text NOT NULL CHECK (length(message) <= 1000),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (post_id, member_id)
);
CREATE INDEX board_interests_member_idx ON knowledge.board_interests (member_id);

-- One search over articles, questions, answers and board posts: a row per
-- searchable text, kept by the services on every save and change of
-- state. `listed` says whether anyone but its author and moderators may
-- find it now (published, visible); audience and expiry are filtered per
-- viewer.
CREATE TABLE knowledge.documents (
    subject_id   uuid PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('ARTICLE', 'QUESTION', 'ANSWER', 'BOARD_POST')),
    -- The question an answer belongs to (answers of hidden questions are
    -- not found).
    question_id  uuid REFERENCES knowledge.questions (id) ON DELETE CASCADE,
    author_id    uuid REFERENCES membership.members (id) ON DELETE SET NULL,
    audience     text NOT NULL CHECK (audience IN ('EVERYONE', 'ALUMNI', 'EMPLOYEES')),
    listed       boolean NOT NULL,
    expires_at   timestamptz,
    -- Normalised title (empty for answers), then the rest, separated by
    -- U+001F; and the grams of both (see alumni_core::search).
    search_text  text NOT NULL,
    search_grams text[] NOT NULL,
    -- Its tags (an answer's are its question's): a search word that names
    -- a tag or one of its aliases finds what carries the tag.
    tag_ids      uuid[] NOT NULL,
    created_at   timestamptz NOT NULL
);
CREATE INDEX documents_search_idx ON knowledge.documents USING gin (search_grams) WHERE listed;
CREATE INDEX documents_tags_idx ON knowledge.documents USING gin (tag_ids) WHERE listed;
CREATE INDEX documents_author_idx ON knowledge.documents (author_id) WHERE author_id IS NOT NULL;

-- Whether the searchable texts of `subject` (and, for a question, of its
-- answers) may be found: the services call it after every change of
-- state or moderation, so the rule of what is listed lives in one place.
CREATE FUNCTION knowledge.refresh_listing(subject uuid) RETURNS void LANGUAGE sql AS $$
    UPDATE knowledge.documents d SET listed = CASE d.kind
        WHEN 'ARTICLE' THEN EXISTS (
            SELECT 1 FROM knowledge.articles a
            WHERE a.id = d.subject_id AND a.state = 'PUBLISHED' AND a.moderation = 'VISIBLE')
        WHEN 'QUESTION' THEN EXISTS (
            SELECT 1 FROM knowledge.questions q
            WHERE q.id = d.subject_id AND q.moderation = 'VISIBLE')
        WHEN 'ANSWER' THEN EXISTS (
            SELECT 1 FROM knowledge.answers a JOIN knowledge.questions q ON q.id = a.question_id
            WHERE a.id = d.subject_id AND a.moderation = 'VISIBLE' AND q.moderation = 'VISIBLE')
        WHEN 'BOARD_POST' THEN EXISTS (
            SELECT 1 FROM knowledge.board_posts b
            WHERE b.id = d.subject_id AND b.moderation = 'VISIBLE' AND b.closed_at IS NULL)
    END
    WHERE d.subject_id = subject OR d.question_id = subject
$$;

-- How widely questions are routed: one row, edited by the secretariat.
CREATE TABLE knowledge.routing_settings (
    singleton             boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    -- Members asked when a question is posted.
    first_round           integer NOT NULL CHECK (first_round BETWEEN 1 AND 20),
    -- Members asked (besides the first) when it is still unanswered.
    second_round          integer NOT NULL CHECK (second_round BETWEEN 1 AND 50),
    -- Hours without an answer before the second round, and again before
    -- the question is shown to the secretariat.
    escalate_after_hours  integer NOT NULL CHECK (escalate_after_hours BETWEEN 1 AND 720),
    updated_at            timestamptz NOT NULL
);
INSERT INTO knowledge.routing_settings (first_round, second_round, escalate_after_hours, updated_at)
VALUES (3, 6, 72, now());
