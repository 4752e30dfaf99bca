-- Surveys of the feedback domain: the secretariat asks, members answer
-- once, and results are shown only for groups of respondents large enough
-- to hide anyone.
--
-- Who answered and what was answered are kept apart. `survey_participation`
-- says that a member answered a survey (so they answer once, and can see
-- that they did); `survey_responses` and `survey_answers` hold what was
-- answered, with a random (v4) id, the day only, and the respondent's
-- cohort coarsened until it describes at least five members, and nothing
-- that names or points at the member. Both are written in one transaction;
-- the hourly `feedback.unlink_submissions` job rewrites the recent rows of
-- all three tables so they do not keep that transaction's id (`xmin`).
CREATE TABLE feedback.surveys (
    id                 uuid PRIMARY KEY,
    title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description        text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    audience           text NOT NULL CHECK (audience IN ('EVERYONE', 'ALUMNI', 'EMPLOYEES')),
    -- Null while a draft; set when the secretariat opens (or schedules) it.
    -- Open from `opens_at` until `closes_at`; closing early moves
    -- `closes_at` to the moment of closing.
    opens_at           timestamptz,
    closes_at          timestamptz NOT NULL,
    -- The fewest responses a group of respondents must have for its
    -- figures to be shown, and for its free texts.
    min_group          integer NOT NULL DEFAULT 5 CHECK (min_group BETWEEN 3 AND 1000),
    min_text_group     integer NOT NULL DEFAULT 10 CHECK (min_text_group BETWEEN 3 AND 1000),
    -- Members in the audience may read the results of a closed survey
    -- once the secretariat published them.
    results_published  boolean NOT NULL DEFAULT false,
    created_by         uuid REFERENCES membership.members (id),
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    CHECK (min_text_group >= min_group),
    CHECK (opens_at IS NULL OR closes_at >= opens_at),
    CHECK (NOT results_published OR opens_at IS NOT NULL)
);
CREATE INDEX surveys_created_idx ON feedback.surveys (created_at DESC, id DESC);

CREATE TABLE feedback.survey_questions (
    id         uuid PRIMARY KEY,
    survey_id  uuid NOT NULL REFERENCES feedback.surveys (id) ON DELETE CASCADE,
    position   integer NOT NULL CHECK (position > 0),
    kind       text NOT NULL CHECK (kind IN ('SCALE', 'SINGLE_CHOICE', 'MULTIPLE_CHOICE', 'FREE_TEXT')),
    prompt     text NOT NULL CHECK (length(prompt) BETWEEN 1 AND 500),
    required   boolean NOT NULL DEFAULT false,
    -- The choices of a choice question, answered by their index (0-based);
    -- questions change only before the first response, so an index keeps
    -- its meaning.
    options    text[] NOT NULL DEFAULT '{}',
    UNIQUE (survey_id, position),
    CHECK ((kind IN ('SINGLE_CHOICE', 'MULTIPLE_CHOICE')) = (cardinality(options) BETWEEN 2 AND 20)),
    CHECK (kind IN ('SINGLE_CHOICE', 'MULTIPLE_CHOICE') OR cardinality(options) = 0)
);

-- That a member answered a survey: one row each, no time, no response id.
CREATE TABLE feedback.survey_participation (
    survey_id  uuid NOT NULL REFERENCES feedback.surveys (id) ON DELETE CASCADE,
    member_id  uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    PRIMARY KEY (survey_id, member_id)
);
CREATE INDEX survey_participation_member_idx ON feedback.survey_participation (member_id);

-- What was answered, by nobody in particular.
CREATE TABLE feedback.survey_responses (
    -- Random (v4), so ids never order by time.
    id              uuid PRIMARY KEY,
    survey_id       uuid NOT NULL REFERENCES feedback.surveys (id) ON DELETE CASCADE,
    -- The day it arrived (Asia/Tokyo), never the time.
    submitted_on    date NOT NULL,
    -- The respondent's cohort: the most detailed part of it that describes
    -- at least five members, or nothing.
    company_id      uuid REFERENCES membership.companies (id),
    left_year_band  integer CHECK (left_year_band % 5 = 0)
);
CREATE INDEX survey_responses_survey_idx ON feedback.survey_responses (survey_id, company_id, left_year_band);
CREATE INDEX survey_responses_submitted_idx ON feedback.survey_responses (submitted_on);

CREATE TABLE feedback.survey_answers (
    response_id  uuid NOT NULL REFERENCES feedback.survey_responses (id) ON DELETE CASCADE,
    question_id  uuid NOT NULL REFERENCES feedback.survey_questions (id),
    -- One of: a point on the 1–5 scale, the indexes of the chosen options,
    -- a free text.
    scale        smallint CHECK (scale BETWEEN 1 AND 5),
    choices      smallint[] CHECK (cardinality(choices) BETWEEN 1 AND 20),
    free_text    text CHECK (length(free_text) BETWEEN 1 AND 2000),
    PRIMARY KEY (response_id, question_id),
    CHECK (num_nonnulls(scale, choices, free_text) = 1)
);
CREATE INDEX survey_answers_question_idx ON feedback.survey_answers (question_id);
