-- Accounts, sessions and sign-in throttling. Profiles, the roster and
-- applications arrive with the membership domain proper.
CREATE SCHEMA membership;

CREATE TABLE membership.members (
    id            uuid PRIMARY KEY,
    -- Stored trimmed and lower-cased; unique.
    email         text NOT NULL CHECK (email = lower(btrim(email)) AND email LIKE '%_@_%'),
    -- argon2id PHC string.
    password_hash text NOT NULL,
    roles         text[] NOT NULL DEFAULT '{}'
                  CHECK (roles <@ ARRAY['ALUMNUS', 'EMPLOYEE', 'SECRETARIAT', 'MODERATOR', 'ANALYST']),
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE UNIQUE INDEX members_email_key ON membership.members (email);

CREATE TABLE membership.sessions (
    id          uuid PRIMARY KEY,
    member_id   uuid NOT NULL REFERENCES membership.members (id) ON DELETE CASCADE,
    -- SHA-256 of the bearer token; the token itself is never stored.
    token_hash  bytea NOT NULL CHECK (length(token_hash) = 32),
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    CHECK (expires_at > created_at)
);

CREATE UNIQUE INDEX sessions_token_hash_key ON membership.sessions (token_hash);
CREATE INDEX sessions_live_by_member_idx ON membership.sessions (member_id) WHERE revoked_at IS NULL;

-- Failed sign-ins per e-mail address (hashed, so addresses that were only
-- tried are not kept), whether or not an account has that address.
CREATE TABLE membership.login_throttle (
    email_hash      bytea PRIMARY KEY CHECK (length(email_hash) = 32),
    failures        integer NOT NULL CHECK (failures > 0),
    last_failure_at timestamptz NOT NULL,
    blocked_until   timestamptz
);
