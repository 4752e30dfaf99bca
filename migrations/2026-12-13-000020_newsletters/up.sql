-- Numbered newsletter issues that collect posts in order with an editor's
-- note; publishing one publishes its posts and mails it. The recipients
-- are fixed when it is sent.
CREATE TABLE content.issues (
    id                uuid PRIMARY KEY,
    number            integer NOT NULL UNIQUE CHECK (number > 0),
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    editor_note       text NOT NULL CHECK (length(editor_note) <= 10000),
    editor_note_html  text NOT NULL,
    state             text NOT NULL CHECK (state IN ('DRAFT', 'PUBLISHED')),
    published_at      timestamptz,
    audience          text NOT NULL CHECK (audience IN ('EVERYONE', 'ALUMNI', 'EMPLOYEES', 'COHORT')),
    cohort_company_id uuid REFERENCES membership.companies (id),
    cohort_left_from  integer CHECK (cohort_left_from BETWEEN 1900 AND 2200),
    cohort_left_to    integer CHECK (cohort_left_to BETWEEN 1900 AND 2200),
    cohort_role       text CHECK (cohort_role IN ('ALUMNUS', 'EMPLOYEE', 'SECRETARIAT', 'MODERATOR', 'ANALYST')),
    moderation        text NOT NULL DEFAULT 'VISIBLE' CHECK (moderation IN ('VISIBLE', 'HELD', 'HIDDEN', 'DELETED')),
    created_by        uuid REFERENCES membership.members (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    CHECK ((state = 'PUBLISHED') = (published_at IS NOT NULL)),
    CHECK ((audience = 'COHORT') OR (cohort_company_id IS NULL AND cohort_left_from IS NULL AND cohort_left_to IS NULL AND cohort_role IS NULL))
);
-- The archive of back issues, newest first.
CREATE INDEX issues_archive_idx ON content.issues (published_at DESC, id DESC) WHERE state = 'PUBLISHED';
CREATE INDEX issues_created_by_idx ON content.issues (created_by) WHERE created_by IS NOT NULL;

CREATE TABLE content.issue_posts (
    issue_id uuid NOT NULL REFERENCES content.issues (id) ON DELETE CASCADE,
    post_id  uuid NOT NULL REFERENCES content.posts (id) ON DELETE CASCADE,
    position integer NOT NULL,
    PRIMARY KEY (issue_id, post_id)
);
CREATE INDEX issue_posts_post_idx ON content.issue_posts (post_id);

-- Who an issue was sent to, fixed when it was published.
CREATE TABLE content.issue_recipients (
    issue_id  uuid NOT NULL REFERENCES content.issues (id) ON DELETE CASCADE,
    member_id uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    PRIMARY KEY (issue_id, member_id)
);
CREATE INDEX issue_recipients_member_idx ON content.issue_recipients (member_id);
