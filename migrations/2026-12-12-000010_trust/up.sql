-- Trust and safety: the secretariat's rules for the leak guard and watched
-- words, the decisions they led to, reports, and the review queue.
CREATE SCHEMA trust;

-- One row: the settings moderators work with, and the rules' version,
-- raised with every change of a rule so each process recompiles its
-- engine only when the rules changed.
CREATE TABLE trust.settings (
    singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    rules_version    bigint NOT NULL DEFAULT 0,
    report_threshold integer NOT NULL DEFAULT 3 CHECK (report_threshold BETWEEN 1 AND 100)
);
INSERT INTO trust.settings DEFAULT VALUES;

CREATE TABLE trust.rules (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- CONFIDENTIAL: the leak guard; LANGUAGE: watched words.
    category    text NOT NULL CHECK (category IN ('CONFIDENTIAL', 'LANGUAGE')),
    kind        text NOT NULL CHECK (kind IN ('TERM', 'PATTERN', 'DETECTOR')),
    terms       text[] NOT NULL CHECK (cardinality(terms) BETWEEN 1 AND 500),
    action      text NOT NULL CHECK (action IN ('BLOCK', 'HOLD', 'WARN')),
    scope       text NOT NULL CHECK (scope IN ('EVERYWHERE', 'ALUMNI_FACING')),
    explanation text NOT NULL CHECK (length(explanation) BETWEEN 1 AND 500),
    enabled     boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX rules_name_idx ON trust.rules (name, id);

-- Every text a rule matched: blocked, refused until confirmed, confirmed,
-- or held. The rules are named by id; the text itself is not copied.
CREATE TABLE trust.decisions (
    id           uuid PRIMARY KEY,
    subject_type text NOT NULL,
    subject_id   uuid NOT NULL,
    author_id    uuid REFERENCES membership.members (id) ON DELETE SET NULL,
    audience     text NOT NULL CHECK (audience IN ('ALUMNI', 'EMPLOYEES_ONLY')),
    outcome      text NOT NULL CHECK (outcome IN ('BLOCKED', 'UNCONFIRMED', 'CONFIRMED', 'HELD')),
    -- [{"field": "input.bio", "rule": "<uuid>", "action": "WARN"}, ...]
    matches      jsonb NOT NULL,
    decided_at   timestamptz NOT NULL
);
CREATE INDEX decisions_subject_idx ON trust.decisions (subject_type, subject_id, decided_at);
CREATE INDEX decisions_author_idx ON trust.decisions (author_id) WHERE author_id IS NOT NULL;

-- The review queue: one case per piece of content under review, opened by
-- the leak guard (HELD), by reports (REPORTED) or by the author's appeal
-- against a resolution (APPEAL, at most one per resolved case).
CREATE TABLE trust.cases (
    id              uuid PRIMARY KEY,
    subject_type    text NOT NULL,
    subject_id      uuid NOT NULL,
    author_id       uuid REFERENCES membership.members (id) ON DELETE SET NULL,
    origin          text NOT NULL CHECK (origin IN ('HELD', 'REPORTED', 'APPEAL')),
    appeal_of       uuid UNIQUE REFERENCES trust.cases (id) ON DELETE CASCADE,
    appeal_text     text CHECK (length(appeal_text) <= 2000),
    priority        integer NOT NULL CHECK (priority BETWEEN 0 AND 100),
    -- The queue's order as one ascending key: most urgent first, then the
    -- oldest (ids are time-ordered UUID v7), so pages seek on (rank, id).
    queue_rank      integer GENERATED ALWAYS AS (100 - priority) STORED,
    assignee_id     uuid REFERENCES membership.members (id) ON DELETE SET NULL,
    resolution      text CHECK (resolution IN ('DISMISSED', 'RELEASED', 'HIDDEN', 'DELETED', 'WARNED', 'SUSPENDED')),
    resolution_note text CHECK (length(resolution_note) <= 2000),
    resolved_by     uuid REFERENCES membership.members (id) ON DELETE SET NULL,
    opened_at       timestamptz NOT NULL,
    resolved_at     timestamptz,
    CHECK ((resolution IS NULL) = (resolved_at IS NULL)),
    CHECK ((origin = 'APPEAL') = (appeal_of IS NOT NULL))
);
-- One open case per piece of content: reports and holds join it.
CREATE UNIQUE INDEX cases_one_open_idx ON trust.cases (subject_type, subject_id) WHERE resolved_at IS NULL;
CREATE INDEX cases_queue_idx ON trust.cases (queue_rank, id) WHERE resolved_at IS NULL;
CREATE INDEX cases_resolved_idx ON trust.cases (resolved_at DESC, id) WHERE resolved_at IS NOT NULL;
CREATE INDEX cases_author_idx ON trust.cases (author_id, opened_at DESC) WHERE author_id IS NOT NULL;
CREATE INDEX cases_assignee_idx ON trust.cases (assignee_id) WHERE assignee_id IS NOT NULL;
CREATE INDEX cases_resolved_by_idx ON trust.cases (resolved_by) WHERE resolved_by IS NOT NULL;

CREATE TABLE trust.case_notes (
    id         uuid PRIMARY KEY,
    case_id    uuid NOT NULL REFERENCES trust.cases (id) ON DELETE CASCADE,
    author_id  uuid REFERENCES membership.members (id) ON DELETE SET NULL,
    body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    created_at timestamptz NOT NULL
);
CREATE INDEX case_notes_case_idx ON trust.case_notes (case_id, created_at, id);
CREATE INDEX case_notes_author_idx ON trust.case_notes (author_id) WHERE author_id IS NOT NULL;

CREATE TABLE trust.reports (
    id           uuid PRIMARY KEY,
    case_id      uuid NOT NULL REFERENCES trust.cases (id) ON DELETE CASCADE,
    subject_type text NOT NULL,
    subject_id   uuid NOT NULL,
    reporter_id  uuid REFERENCES membership.members (id) ON DELETE SET NULL,
    reason       text NOT NULL CHECK (reason IN ('SPAM', 'HARASSMENT', 'CONFIDENTIAL', 'INAPPROPRIATE', 'OTHER')),
    details      text CHECK (length(details) <= 1000),
    created_at   timestamptz NOT NULL,
    closed_at    timestamptz
);
-- One open report per member and piece of content.
CREATE UNIQUE INDEX reports_one_open_idx ON trust.reports (reporter_id, subject_type, subject_id) WHERE closed_at IS NULL;
CREATE INDEX reports_case_idx ON trust.reports (case_id, created_at);
CREATE INDEX reports_reporter_idx ON trust.reports (reporter_id) WHERE reporter_id IS NOT NULL;

-- Content the queue acts on carries its state.
ALTER TABLE membership.profiles ADD COLUMN moderation text NOT NULL DEFAULT 'VISIBLE'
    CHECK (moderation IN ('VISIBLE', 'HELD', 'HIDDEN', 'DELETED'));
ALTER TABLE events.events ADD COLUMN moderation text NOT NULL DEFAULT 'VISIBLE'
    CHECK (moderation IN ('VISIBLE', 'HELD', 'HIDDEN', 'DELETED'));
ALTER TABLE events.materials ADD COLUMN moderation text NOT NULL DEFAULT 'VISIBLE'
    CHECK (moderation IN ('VISIBLE', 'HELD', 'HIDDEN', 'DELETED'));
