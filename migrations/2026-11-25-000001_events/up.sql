-- Events: talks, meetups and study sessions, with registration, an automatic
-- waitlist, check-in, speakers, materials and personal calendar feeds.
CREATE SCHEMA events;

CREATE TABLE events.events (
    id                     uuid PRIMARY KEY,
    title                  text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    -- Markdown.
    description            text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
    kind                   text NOT NULL
                           CHECK (kind IN ('ALUMNI_TALK', 'MEETUP', 'STUDY_SESSION', 'SEMINAR', 'WORKSHOP')),
    format                 text NOT NULL CHECK (format IN ('IN_PERSON', 'ONLINE', 'HYBRID')),
    venue                  text,
    -- Shown only to confirmed attendees and the secretariat.
    join_url               text,
    starts_at              timestamptz NOT NULL,
    ends_at                timestamptz NOT NULL,
    -- IANA name; the times above are instants, this is how to show them.
    time_zone              text NOT NULL DEFAULT 'Asia/Tokyo',
    audience               text NOT NULL CHECK (audience IN ('ALUMNI', 'EMPLOYEES', 'EVERYONE')),
    registration_opens_at  timestamptz NOT NULL,
    registration_closes_at timestamptz NOT NULL,
    -- NULL: no limit.
    capacity               integer CHECK (capacity >= 0),
    -- COMPLETED is not stored: a published event is completed once it has ended.
    status                 text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'PUBLISHED', 'CANCELLED')),
    -- Seat counters, changed only while the row is locked (SELECT ... FOR
    -- UPDATE) by the transaction that changes registrations. The CHECK below
    -- makes overbooking impossible even for a buggy writer.
    confirmed_count        integer NOT NULL DEFAULT 0 CHECK (confirmed_count >= 0),
    waitlist_count         integer NOT NULL DEFAULT 0 CHECK (waitlist_count >= 0),
    -- Bumped with every change of the counters, so subscribers can drop
    -- notifications that arrive out of order.
    seats_version          bigint NOT NULL DEFAULT 0,
    created_by             uuid NOT NULL REFERENCES membership.members (id),
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    published_at           timestamptz,
    cancelled_at           timestamptz,
    CHECK (ends_at > starts_at),
    CHECK (registration_closes_at > registration_opens_at),
    CHECK (registration_closes_at <= ends_at),
    CHECK (format = 'ONLINE' OR venue IS NOT NULL),
    CHECK (format = 'IN_PERSON' OR join_url IS NOT NULL),
    CHECK (capacity IS NULL OR confirmed_count <= capacity),
    CHECK ((status = 'CANCELLED') = (cancelled_at IS NOT NULL)),
    CHECK (status <> 'PUBLISHED' OR published_at IS NOT NULL)
);

-- The list is ordered by start; every filter keeps that order.
CREATE INDEX events_starts_at_idx ON events.events (starts_at, id);
CREATE INDEX events_listed_starts_at_idx ON events.events (starts_at, id) WHERE status <> 'DRAFT';
CREATE INDEX events_kind_starts_at_idx ON events.events (kind, starts_at, id);
CREATE INDEX events_audience_starts_at_idx ON events.events (audience, starts_at, id);
CREATE INDEX events_ends_at_idx ON events.events (ends_at);
CREATE INDEX events_created_by_idx ON events.events (created_by);

-- Speakers are members or named guests, in the order they appear.
CREATE TABLE events.speakers (
    id            uuid PRIMARY KEY,
    event_id      uuid NOT NULL REFERENCES events.events (id) ON DELETE CASCADE,
    position      integer NOT NULL CHECK (position > 0),
    member_id     uuid REFERENCES membership.members (id),
    guest_name    text CHECK (length(btrim(guest_name)) BETWEEN 1 AND 200),
    -- e.g. "Formerly Kansai division; now at a cloud start-up".
    affiliation   text CHECK (length(affiliation) <= 200),
    CHECK ((member_id IS NULL) <> (guest_name IS NULL)),
    UNIQUE (event_id, position)
);

CREATE UNIQUE INDEX speakers_member_key ON events.speakers (event_id, member_id) WHERE member_id IS NOT NULL;
CREATE INDEX speakers_member_idx ON events.speakers (member_id) WHERE member_id IS NOT NULL;

CREATE TABLE events.registrations (
    id                uuid PRIMARY KEY,
    event_id          uuid NOT NULL REFERENCES events.events (id) ON DELETE CASCADE,
    member_id         uuid NOT NULL REFERENCES membership.members (id),
    status            text NOT NULL CHECK (status IN ('CONFIRMED', 'WAITLISTED', 'CANCELLED')),
    -- Dense 1..N in order of arrival among the waitlisted of an event.
    waitlist_position integer CHECK (waitlist_position > 0),
    -- Shown to the attendee once confirmed; the secretariat checks in by it.
    check_in_code     text NOT NULL CHECK (check_in_code ~ '^[A-Z0-9]{8}$'),
    registered_at     timestamptz NOT NULL,
    confirmed_at      timestamptz,
    cancelled_at      timestamptz,
    checked_in_at     timestamptz,
    updated_at        timestamptz NOT NULL,
    -- Attendee list order: confirmed, then the waitlist by position, then cancelled.
    list_rank         smallint GENERATED ALWAYS AS (
                          CASE status WHEN 'CONFIRMED' THEN 0 WHEN 'WAITLISTED' THEN 1 ELSE 2 END
                      ) STORED,
    list_position     integer GENERATED ALWAYS AS (coalesce(waitlist_position, 0)) STORED,
    CHECK ((status = 'WAITLISTED') = (waitlist_position IS NOT NULL)),
    CHECK ((status = 'CONFIRMED') = (confirmed_at IS NOT NULL)),
    CHECK ((status = 'CANCELLED') = (cancelled_at IS NOT NULL)),
    CHECK (checked_in_at IS NULL OR status = 'CONFIRMED'),
    UNIQUE (event_id, member_id),
    UNIQUE (event_id, check_in_code),
    -- Positions shift down when someone ahead leaves; checked at commit, so
    -- the shift may pass through duplicates.
    CONSTRAINT registrations_waitlist_position_key
        UNIQUE (event_id, waitlist_position) DEFERRABLE INITIALLY DEFERRED
);

CREATE INDEX registrations_list_idx
    ON events.registrations (event_id, list_rank, list_position, registered_at, id);
CREATE INDEX registrations_member_idx ON events.registrations (member_id, event_id);

-- Slides and recordings, attached once the event has started.
CREATE TABLE events.materials (
    id              uuid PRIMARY KEY,
    event_id        uuid NOT NULL REFERENCES events.events (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('SLIDES', 'RECORDING', 'DOCUMENT')),
    title           text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    url             text NOT NULL CHECK (url ~ '^https?://'),
    -- INTERNAL_ONLY: employees and the secretariat only.
    confidentiality text NOT NULL CHECK (confidentiality IN ('ALUMNI_OK', 'INTERNAL_ONLY')),
    added_by        uuid NOT NULL REFERENCES membership.members (id),
    added_at        timestamptz NOT NULL
);

CREATE INDEX materials_event_idx ON events.materials (event_id, added_at, id);

-- One personal calendar feed per member: a secret URL token, stored hashed.
CREATE TABLE events.calendar_feeds (
    member_id   uuid PRIMARY KEY REFERENCES membership.members (id) ON DELETE CASCADE,
    -- SHA-256 of the token; the token itself is shown once and never stored.
    token_hash  bytea NOT NULL CHECK (length(token_hash) = 32),
    created_at  timestamptz NOT NULL
);

CREATE UNIQUE INDEX calendar_feeds_token_hash_key ON events.calendar_feeds (token_hash);
