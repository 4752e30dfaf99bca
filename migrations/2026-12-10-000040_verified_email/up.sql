-- Verified addresses. An application matched to the roster by an address
-- HR has on file is approved only once the applicant proves they read mail
-- at it; a match by name, employee number and leave date alone (which a
-- former colleague could know) goes to the secretariat.
ALTER TABLE membership.applications ADD COLUMN email_verified_at timestamptz;

-- The pending verification code of an applicant (one at a time; a new one
-- replaces it). Only its SHA-256 is kept.
CREATE TABLE membership.email_verifications (
    member_id  uuid PRIMARY KEY REFERENCES membership.members (id) ON DELETE CASCADE,
    code_hash  bytea NOT NULL CHECK (length(code_hash) = 32),
    attempts   integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    CHECK (expires_at > created_at)
);
