-- Proposals to management, written by the secretariat from themes of
-- feedback; management's answers; what came of them ("you said, we did").
--
-- A proposal is a DRAFT while the secretariat writes it, SUBMITTED once
-- management may read it, ANSWERED once management accepted, partly
-- accepted or declined it with reasons, IN_PROGRESS from the first entry
-- of its timeline (accepted ones only), and DONE when an entry brings its
-- progress to 100. Publishing (once submitted) is apart from the state:
-- members read published proposals whose texts the leak guard let through
-- (`moderation`).
CREATE TABLE feedback.proposals (
    id                  uuid PRIMARY KEY,
    title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body                text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    state               text NOT NULL DEFAULT 'DRAFT'
                        CHECK (state IN ('DRAFT', 'SUBMITTED', 'ANSWERED', 'IN_PROGRESS', 'DONE')),
    moderation          text NOT NULL CHECK (moderation IN ('VISIBLE', 'HELD', 'HIDDEN', 'DELETED')),
    created_by          uuid REFERENCES membership.members (id),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    submitted_at        timestamptz,
    published_at        timestamptz,
    response            text CHECK (response IN ('ACCEPTED', 'PARTLY_ACCEPTED', 'DECLINED')),
    response_reasons    text CHECK (length(response_reasons) BETWEEN 1 AND 5000),
    responded_by        uuid REFERENCES membership.members (id),
    responded_at        timestamptz,
    -- Percent done, for accepted and partly accepted proposals only.
    progress            integer CHECK (progress BETWEEN 0 AND 100),
    done_at             timestamptz,
    -- When followers were told of the answer (at publication for one
    -- answered before it), so they are told once.
    answer_announced_at timestamptz,
    CHECK ((state = 'DRAFT') = (submitted_at IS NULL)),
    CHECK (published_at IS NULL OR state <> 'DRAFT'),
    CHECK ((state IN ('DRAFT', 'SUBMITTED')) = (response IS NULL)),
    CHECK ((response IS NULL) = (response_reasons IS NULL)),
    CHECK ((response IS NULL) = (responded_at IS NULL)),
    CHECK ((progress IS NOT NULL) = COALESCE(response IN ('ACCEPTED', 'PARTLY_ACCEPTED'), false)),
    CHECK (state NOT IN ('IN_PROGRESS', 'DONE') OR progress IS NOT NULL),
    CHECK ((state = 'DONE') = (done_at IS NOT NULL)),
    CHECK (state <> 'DONE' OR progress = 100),
    CHECK (answer_announced_at IS NULL OR response IS NOT NULL)
);
-- Every list is newest first; the secretariat's whole list, members'
-- published one, management's submitted one, and lists by state.
CREATE INDEX proposals_created_idx ON feedback.proposals (created_at DESC, id DESC);
CREATE INDEX proposals_published_idx ON feedback.proposals (created_at DESC, id DESC)
    WHERE published_at IS NOT NULL;
CREATE INDEX proposals_submitted_idx ON feedback.proposals (created_at DESC, id DESC)
    WHERE state <> 'DRAFT';
CREATE INDEX proposals_state_idx ON feedback.proposals (state, created_at DESC, id DESC);
CREATE INDEX proposals_created_by_idx ON feedback.proposals (created_by)
    WHERE created_by IS NOT NULL;
CREATE INDEX proposals_responded_by_idx ON feedback.proposals (responded_by)
    WHERE responded_by IS NOT NULL;

-- The themes a proposal was written from (one or more).
CREATE TABLE feedback.proposal_themes (
    proposal_id uuid NOT NULL REFERENCES feedback.proposals (id) ON DELETE CASCADE,
    theme_id    uuid NOT NULL REFERENCES feedback.themes (id),
    PRIMARY KEY (proposal_id, theme_id)
);
CREATE INDEX proposal_themes_theme_idx ON feedback.proposal_themes (theme_id, proposal_id);

-- The dated timeline of an accepted proposal: what happened, and its
-- progress after it.
CREATE TABLE feedback.proposal_updates (
    id           uuid PRIMARY KEY,
    proposal_id  uuid NOT NULL REFERENCES feedback.proposals (id) ON DELETE CASCADE,
    happened_on  date NOT NULL,
    body         text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    progress     integer NOT NULL CHECK (progress BETWEEN 0 AND 100),
    moderation   text NOT NULL CHECK (moderation IN ('VISIBLE', 'HELD', 'HIDDEN', 'DELETED')),
    created_by   uuid REFERENCES membership.members (id),
    created_at   timestamptz NOT NULL,
    -- When followers were told of it (null while the proposal is
    -- unpublished or the entry is withheld), so they are told once.
    announced_at timestamptz
);
CREATE INDEX proposal_updates_proposal_idx
    ON feedback.proposal_updates (proposal_id, happened_on, created_at, id);
CREATE INDEX proposal_updates_created_by_idx ON feedback.proposal_updates (created_by)
    WHERE created_by IS NOT NULL;

-- Members following a published proposal: by choice, or automatically as
-- named authors of feedback in its themes (anonymous feedback has no
-- author, so it never leads to a row here). Unfollowing keeps the row,
-- marked, so an automatic follow does not come back.
CREATE TABLE feedback.proposal_follows (
    proposal_id   uuid NOT NULL REFERENCES feedback.proposals (id) ON DELETE CASCADE,
    member_id     uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    automatic     boolean NOT NULL,
    created_at    timestamptz NOT NULL,
    unfollowed_at timestamptz,
    PRIMARY KEY (proposal_id, member_id)
);
CREATE INDEX proposal_follows_member_idx ON feedback.proposal_follows (member_id);
