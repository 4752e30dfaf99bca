-- The activity digest: a mail per member and period (a week or a month)
-- listing what is new since their last visit, from sections the domains
-- provide.

-- How often a member wants it; a member without a row has the default.
CREATE TABLE notify.digest_settings (
    member_id  uuid PRIMARY KEY REFERENCES membership.members (id) ON DELETE CASCADE,
    frequency  text NOT NULL CHECK (frequency IN ('WEEKLY', 'MONTHLY', 'OFF')),
    updated_at timestamptz NOT NULL
);

-- One row per member and period once its digest was composed, sent or
-- not (nothing new): the guarantee of one digest per member and period,
-- however often the jobs run. Kept for a while after the period.
CREATE TABLE notify.digests (
    member_id   uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    -- `W2026-12-07` (the week starting that Monday) or `M2026-12`.
    period      text NOT NULL CHECK (period ~ '^(W\d{4}-\d{2}-\d{2}|M\d{4}-\d{2})$'),
    composed_at timestamptz NOT NULL,
    -- Items listed; 0 when there was nothing new and no mail went out.
    items       integer NOT NULL CHECK (items >= 0),
    outbox_id   uuid REFERENCES notify.outbox (id) ON DELETE SET NULL,
    PRIMARY KEY (member_id, period)
);

CREATE INDEX digests_composed_at_idx ON notify.digests (composed_at);

-- The periods whose digests have all been enqueued, so the hourly planner
-- reads one row, not every member, once a period is under way.
CREATE TABLE notify.digest_rounds (
    period     text PRIMARY KEY CHECK (period ~ '^(W\d{4}-\d{2}-\d{2}|M\d{4}-\d{2})$'),
    planned_at timestamptz NOT NULL,
    enqueued   integer NOT NULL CHECK (enqueued >= 0)
);
