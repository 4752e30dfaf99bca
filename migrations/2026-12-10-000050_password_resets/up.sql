-- Password reset by mail: a single-use token, valid for an hour, of which
-- only the SHA-256 is kept. Using it sets the password and ends every
-- session of the member.
CREATE TABLE membership.password_resets (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    member_id  uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CHECK (expires_at > created_at)
);

CREATE INDEX password_resets_member_idx ON membership.password_resets (member_id);
