-- Changing one's address: the new address is used only once a code mailed
-- to it has been entered (one pending change per member; a new request
-- replaces it). Only the code's SHA-256 is kept, written by the job that
-- mails it (NULL until then, so the code never rests in the job queue).
CREATE TABLE membership.email_changes (
    member_id  uuid PRIMARY KEY REFERENCES membership.members (id) ON DELETE CASCADE,
    new_email  text NOT NULL CHECK (new_email = lower(btrim(new_email)) AND new_email LIKE '%_@_%'),
    code_hash  bytea CHECK (length(code_hash) = 32),
    attempts   integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    CHECK (expires_at > created_at)
);

-- The daily purge of expired tokens and codes reads these.
CREATE INDEX password_resets_expires_at_idx ON membership.password_resets (expires_at);
CREATE INDEX email_changes_expires_at_idx ON membership.email_changes (expires_at);
CREATE INDEX email_verifications_expires_at_idx ON membership.email_verifications (expires_at);
