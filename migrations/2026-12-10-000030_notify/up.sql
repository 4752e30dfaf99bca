-- Notifications and mail (crate alumni-notify): what the network tells its
-- members, in the app and by e-mail, and what each member chose to hear.
CREATE SCHEMA notify;

-- In-app notifications, newest first per member.
CREATE TABLE notify.notifications (
    id           uuid PRIMARY KEY,
    member_id    uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    -- Dotted kind, e.g. `events.registration_confirmed`.
    kind         text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
    -- What it is about (a node type and id), shown as the viewer may see it.
    subject_type text CHECK (subject_type ~ '^[A-Z][A-Za-z]*$'),
    subject_id   uuid,
    -- Ids and small particulars of the kind's payload; no free text.
    payload      jsonb NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL,
    read_at      timestamptz,
    CHECK ((subject_type IS NULL) = (subject_id IS NULL))
);

CREATE INDEX notifications_member_idx ON notify.notifications (member_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notify.notifications (member_id, created_at DESC, id DESC)
    WHERE read_at IS NULL;

-- Every server process hears of a new notification on commit (core::live)
-- and passes it to the member's open `notificationAdded` subscriptions.
CREATE FUNCTION notify.announce_notification() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('alumni_notifications',
        json_build_object('member_id', NEW.member_id, 'id', NEW.id)::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER notifications_announce AFTER INSERT ON notify.notifications
    FOR EACH ROW EXECUTE FUNCTION notify.announce_notification();

-- A member's choice per kind; a kind without a row has its default.
CREATE TABLE notify.preferences (
    member_id  uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
    channel    text NOT NULL CHECK (channel IN ('IN_APP', 'EMAIL', 'DIGEST', 'OFF')),
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (member_id, kind)
);

-- Mail, written in the transaction of the change that causes it and sent
-- by the job queue (`notify.send_mail`). Sent mail keeps its headers for a
-- while (support questions: "did it go out?"); bodies are dropped once sent.
CREATE TABLE notify.outbox (
    id              uuid PRIMARY KEY,
    -- The member it is for; NULL for an address not (yet) a member's.
    member_id       uuid REFERENCES membership.members (id) ON DELETE SET NULL,
    to_address      text NOT NULL CHECK (length(to_address) BETWEEN 3 AND 254),
    to_name         text CHECK (length(to_name) <= 200),
    subject         text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
    text_body       text,
    html_body       text,
    -- The kind of notification it carries, or e.g. `membership.verify_email`.
    category        text NOT NULL,
    -- Non-transactional mail carries a one-click unsubscribe address.
    unsubscribe_url text,
    state           text NOT NULL CHECK (state IN ('QUEUED', 'SENT', 'FAILED')),
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz,
    -- The Message-ID it went out with.
    message_id      text,
    CHECK ((state = 'SENT') = (sent_at IS NOT NULL)),
    CHECK (state <> 'QUEUED' OR (text_body IS NOT NULL AND html_body IS NOT NULL))
);

CREATE INDEX outbox_member_idx ON notify.outbox (member_id) WHERE member_id IS NOT NULL;

-- One-click unsubscribe (RFC 8058): the token in a mail's
-- List-Unsubscribe address stops that kind of mail for its member. Only
-- its SHA-256 is kept.
CREATE TABLE notify.unsubscribe_tokens (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    member_id  uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    kind       text NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE INDEX unsubscribe_tokens_member_idx ON notify.unsubscribe_tokens (member_id);
