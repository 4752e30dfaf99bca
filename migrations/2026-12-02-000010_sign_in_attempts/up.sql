-- Sign-in attempts are reserved before the password is checked, so that
-- concurrent attempts (a batch, a burst of requests) cannot all be checked
-- while the count still allows them. They are counted under two keys: the
-- e-mail address with the client's network address (a low limit, so an
-- attacker's failures block the attacker), and the address alone (a high
-- ceiling against attempts spread over many clients). Keys are SHA-256
-- hashes, so addresses that were merely tried are not kept; `address_hash`
-- (the address's own hash) finds every count of an address when its
-- member leaves.
DROP TABLE membership.login_throttle;

CREATE TABLE membership.sign_in_attempts (
    key             bytea PRIMARY KEY CHECK (length(key) = 32),
    address_hash    bytea NOT NULL CHECK (length(address_hash) = 32),
    attempts        integer NOT NULL CHECK (attempts >= 0),
    last_attempt_at timestamptz NOT NULL,
    blocked_until   timestamptz
);

CREATE INDEX sign_in_attempts_address_idx ON membership.sign_in_attempts (address_hash);
