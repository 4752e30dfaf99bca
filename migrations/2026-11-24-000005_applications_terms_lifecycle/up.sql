-- Single-use codes from the secretariat that make an application
-- pre-approved. Only a hash of the code is kept.
CREATE TABLE membership.invitations (
    id         uuid PRIMARY KEY,
    code_hash  bytea NOT NULL CHECK (length(code_hash) = 32),
    -- Whom it is for, in the secretariat's words.
    note       text NOT NULL DEFAULT '',
    created_by uuid NOT NULL REFERENCES membership.members (id),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CHECK (expires_at > created_at)
);

CREATE UNIQUE INDEX invitations_code_hash_key ON membership.invitations (code_hash);
CREATE INDEX invitations_newest_idx ON membership.invitations (created_at DESC, id DESC);

-- Applications to join. The applicant's account exists from the start
-- (status APPLICANT), so they can sign in and follow their application.
CREATE TABLE membership.applications (
    id               uuid PRIMARY KEY,
    member_id        uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    status           text NOT NULL CHECK (status IN ('PENDING_REVIEW', 'APPROVED', 'REJECTED')),
    full_name        text NOT NULL CHECK (btrim(full_name) <> ''),
    full_name_kana   text NOT NULL CHECK (btrim(full_name_kana) <> ''),
    former_surnames  text[] NOT NULL DEFAULT '{}',
    employee_number  text,
    company_id       uuid NOT NULL REFERENCES membership.companies (id),
    joined_on        date NOT NULL,
    left_on          date NOT NULL,
    last_department  text NOT NULL DEFAULT '',
    name_key         text NOT NULL,
    kana_key         text NOT NULL,
    -- The roster entry this person is, once known.
    roster_entry_id  uuid REFERENCES membership.roster_entries (id),
    invitation_id    uuid REFERENCES membership.invitations (id),
    approval_basis   text CHECK (approval_basis IN ('ROSTER_MATCH', 'INVITATION', 'SECRETARIAT')),
    submitted_at     timestamptz NOT NULL,
    decided_at       timestamptz,
    decided_by       uuid REFERENCES membership.members (id),
    rejection_reason text,
    CHECK (left_on >= joined_on),
    CHECK ((status = 'APPROVED') = (approval_basis IS NOT NULL)),
    CHECK ((status = 'REJECTED') = (rejection_reason IS NOT NULL)),
    CHECK ((status = 'PENDING_REVIEW') = (decided_at IS NULL))
);

CREATE UNIQUE INDEX applications_member_key ON membership.applications (member_id);
-- One live application or membership per person HR knows, enforced by the
-- database even when two applications race.
CREATE UNIQUE INDEX applications_roster_entry_key ON membership.applications (roster_entry_id)
    WHERE roster_entry_id IS NOT NULL AND status <> 'REJECTED';
CREATE UNIQUE INDEX applications_employee_number_key ON membership.applications (employee_number)
    WHERE employee_number IS NOT NULL AND status <> 'REJECTED';
CREATE INDEX applications_person_idx ON membership.applications (name_key, left_on)
    WHERE status <> 'REJECTED';
CREATE INDEX applications_review_queue_idx ON membership.applications (submitted_at, id)
    WHERE status = 'PENDING_REVIEW';

-- Versioned terms of use. Published versions never change; the newest is
-- current.
CREATE TABLE membership.terms_versions (
    id           uuid PRIMARY KEY,
    version      text NOT NULL CHECK (btrim(version) <> ''),
    title        text NOT NULL CHECK (btrim(title) <> ''),
    -- Markdown.
    body         text NOT NULL CHECK (btrim(body) <> ''),
    published_at timestamptz NOT NULL,
    published_by uuid REFERENCES membership.members (id)
);

CREATE UNIQUE INDEX terms_versions_version_key ON membership.terms_versions (version);
CREATE INDEX terms_versions_newest_idx ON membership.terms_versions (published_at DESC, id DESC);

-- A member's acceptance of one version, with the purposes consented to
-- (APPI: consent is per purpose; MEMBERSHIP is required to take part).
CREATE TABLE membership.consents (
    member_id        uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    terms_version_id uuid NOT NULL REFERENCES membership.terms_versions (id),
    accepted_at      timestamptz NOT NULL,
    purposes         text[] NOT NULL
                     CHECK (purposes <@ ARRAY['MEMBERSHIP', 'NEWSLETTER', 'ANALYTICS']
                            AND 'MEMBERSHIP' = ANY (purposes)),
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (member_id, terms_version_id)
);
