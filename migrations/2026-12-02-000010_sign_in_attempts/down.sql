DROP TABLE membership.sign_in_attempts;

CREATE TABLE membership.login_throttle (
    email_hash      bytea PRIMARY KEY CHECK (length(email_hash) = 32),
    failures        integer NOT NULL CHECK (failures > 0),
    last_failure_at timestamptz NOT NULL,
    blocked_until   timestamptz
);
