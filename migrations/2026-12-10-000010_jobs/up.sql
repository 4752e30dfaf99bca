-- The durable job queue (core::jobs): work that must happen later or
-- outside a request (sending mail, scheduled publishing, digests, sweeps).
-- A job is inserted in the transaction of the change that causes it, so a
-- rolled-back change leaves no job behind. Core owns this schema: jobs of
-- every crate share one queue and one set of workers.
CREATE SCHEMA jobs;

CREATE TABLE jobs.jobs (
    id           uuid PRIMARY KEY,
    -- Dotted name of the handler, e.g. `notify.send_mail`.
    kind         text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
    payload      jsonb NOT NULL,
    -- The caller's idempotency key: a second job of the same kind and key
    -- is not inserted, whatever the state of the first.
    key          text CHECK (length(key) BETWEEN 1 AND 200),
    -- PENDING: waits for `due_at`. RUNNING: claimed by a worker whose lease
    -- ends at `due_at` (after that any worker may claim it again). DONE and
    -- FAILED are final; FAILED jobs can be retried by an operator.
    state        text NOT NULL CHECK (state IN ('PENDING', 'RUNNING', 'DONE', 'FAILED')),
    due_at       timestamptz NOT NULL,
    -- Attempts started so far, and how many are allowed.
    attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts integer NOT NULL CHECK (max_attempts BETWEEN 1 AND 100),
    -- What went wrong in the last failed attempt (no personal data).
    last_error   text,
    created_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    UNIQUE (kind, key),
    CHECK ((state IN ('DONE', 'FAILED')) = (finished_at IS NOT NULL))
);

-- Workers claim the earliest due of the jobs not finished.
CREATE INDEX jobs_due_idx ON jobs.jobs (due_at) WHERE state IN ('PENDING', 'RUNNING');
-- Operators list failed jobs, newest first.
CREATE INDEX jobs_failed_idx ON jobs.jobs (finished_at DESC, id DESC) WHERE state = 'FAILED';
-- The sweep removes finished jobs by age.
CREATE INDEX jobs_finished_idx ON jobs.jobs (finished_at) WHERE state = 'DONE';

-- Idle workers wake on a notification instead of polling: one per
-- inserting statement, delivered when its transaction commits (and never if
-- it rolls back).
CREATE FUNCTION jobs.wake_workers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('alumni_jobs', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_wake_workers AFTER INSERT ON jobs.jobs
    FOR EACH STATEMENT EXECUTE FUNCTION jobs.wake_workers();

-- An operator's retry puts a failed job back in the queue: wake a worker.
CREATE TRIGGER jobs_wake_workers_on_retry AFTER UPDATE OF state ON jobs.jobs
    FOR EACH ROW WHEN (OLD.state = 'FAILED' AND NEW.state = 'PENDING')
    EXECUTE FUNCTION jobs.wake_workers();
