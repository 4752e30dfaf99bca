-- Idempotent retries: the outcome of each request a signed-in member sent
-- with an `Idempotency-Key`, kept for 24 hours so that a retry is answered
-- with the first response instead of running the request again. Core owns
-- this schema: it holds state of the API itself, not of any domain.
CREATE SCHEMA api;

CREATE TABLE api.idempotency_keys (
    -- The member who sent the key; keys of different members never meet.
    -- No foreign key: core does not know membership's tables, and rows go
    -- after 24 hours or when the member withdraws.
    member_id   uuid NOT NULL,
    -- SHA-256 of the key. The key itself is not kept: it unseals `body`.
    key_hash    bytea NOT NULL CHECK (length(key_hash) = 32),
    -- The request holding the key; the outcome is written only under it.
    attempt_id  uuid NOT NULL,
    -- SHA-256 of the key with the request's operations and variables.
    fingerprint bytea NOT NULL CHECK (length(fingerprint) = 32),
    -- IN_FLIGHT while the request runs; COMPLETED with its response;
    -- UNKNOWN when it failed in a way that may or may not have changed data.
    state       text NOT NULL CHECK (state IN ('IN_FLIGHT', 'COMPLETED', 'UNKNOWN')),
    created_at  timestamptz NOT NULL,
    finished_at timestamptz,
    -- The response, for COMPLETED: HTTP status and the body sealed with
    -- ChaCha20-Poly1305 under a key derived from the idempotency key.
    status      smallint CHECK (status BETWEEN 100 AND 599),
    body        bytea,
    PRIMARY KEY (member_id, key_hash),
    CHECK ((state = 'IN_FLIGHT') = (finished_at IS NULL)),
    CHECK ((state = 'COMPLETED') = (status IS NOT NULL)),
    CHECK ((status IS NULL) = (body IS NULL))
);

-- Expired rows are found (and deleted) oldest first.
CREATE INDEX idempotency_keys_created_at_idx ON api.idempotency_keys (created_at);
