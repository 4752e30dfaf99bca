-- The audit log: an append-only record of security-relevant actions
-- (approvals, role changes, moderation, exports, erasure, sign-ins).
CREATE SCHEMA audit;

CREATE TABLE audit.events (
    id           uuid PRIMARY KEY,
    occurred_at  timestamptz NOT NULL,
    -- The member who acted; NULL for the system and the command line.
    actor_id     uuid,
    -- Dotted verb, e.g. 'membership.login_failed'.
    action       text NOT NULL CHECK (action ~ '^[a-z_]+(\.[a-z_]+)+$'),
    -- What was acted on, as a GraphQL type name and id.
    subject_type text,
    subject_id   uuid,
    -- Non-personal particulars (ids, counts, reasons); never passwords or tokens.
    details      jsonb NOT NULL DEFAULT '{}'::jsonb,
    request_id   text,
    CHECK ((subject_type IS NULL) = (subject_id IS NULL))
);

-- Newest first, and the same order within each filter.
CREATE INDEX events_occurred_at_idx ON audit.events (occurred_at DESC, id DESC);
CREATE INDEX events_actor_idx ON audit.events (actor_id, occurred_at DESC, id DESC) WHERE actor_id IS NOT NULL;
CREATE INDEX events_subject_idx ON audit.events (subject_id, occurred_at DESC, id DESC) WHERE subject_id IS NOT NULL;
CREATE INDEX events_action_idx ON audit.events (action, occurred_at DESC, id DESC);

-- The database itself refuses to change history, whoever asks.
CREATE FUNCTION audit.refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit.events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER events_append_only
    BEFORE UPDATE OR DELETE ON audit.events
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();

CREATE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON audit.events
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
