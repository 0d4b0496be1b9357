-- Issue 9: workers across processes and machines.
--
-- workers: every process that runs job workers announces itself here and renews a short lease
-- (zkml.worker.announce-lease, seconds); a worker whose row expired is dead, and the jobs it held
-- are re-queued at once instead of after their own (longer) job lease.
CREATE TABLE workers (
    id               text        PRIMARY KEY,     -- the process id (pid@host/random), prefix of jobs.lease_owner
    host             text        NOT NULL,
    tags             text[]      NOT NULL DEFAULT '{}',  -- capability tags: cpu, gpu, ...
    kinds            text[]      NOT NULL,        -- job kinds it has handlers for
    max_constraints  bigint,                      -- largest circuit it proves (NULL: no limit)
    max_memory_mb    bigint,                      -- memory a job may need on it (NULL: no limit)
    threads          integer     NOT NULL CHECK (threads >= 1),
    started_at       timestamptz NOT NULL DEFAULT now(),
    heartbeat_at     timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL,
    stopped_at       timestamptz                  -- set on a graceful stop
);
CREATE INDEX workers_expires_idx ON workers (expires_at);

-- Requirements of a job, checked when a worker claims it: the circuit's size (constraints), the
-- memory it needs, the capability tags a worker must have (e.g. {gpu}). NULL/empty: any worker.
ALTER TABLE jobs ADD COLUMN required_constraints bigint;
ALTER TABLE jobs ADD COLUMN required_memory_mb bigint;
ALTER TABLE jobs ADD COLUMN required_tags text[] NOT NULL DEFAULT '{}';
-- The worker process that holds the lease (workers.id), while running.
ALTER TABLE jobs ADD COLUMN worker_id text;

CREATE INDEX jobs_worker_idx ON jobs (worker_id) WHERE status = 'running';

-- The attempt an inference is on (1 for the first claim; 0 while never claimed).
ALTER TABLE inferences ADD COLUMN attempt integer NOT NULL DEFAULT 0;

-- Cancellation (POST /v1/inferences/{id}/cancel): a queued inference can be cancelled by its owner;
-- its job ends failed with last_error 'cancelled by its owner'.
ALTER TABLE inferences DROP CONSTRAINT inferences_status_check;
ALTER TABLE inferences ADD CONSTRAINT inferences_status_check
    CHECK (status IN ('queued', 'proving', 'succeeded', 'failed', 'cancelled'));

-- Callbacks (callbackUrl on POST /v1/circuits/{id}/inferences): when an inference with a callback
-- URL ends (succeeded, failed, cancelled), a 'callback' job is queued in the same transaction (this
-- trigger) and a worker POSTs the signed result, retrying with backoff; the job is the delivery
-- status.
ALTER TABLE inferences ADD COLUMN callback_url text CHECK (callback_url IS NULL OR length(callback_url) <= 2048);
ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check CHECK (kind IN ('compile', 'prove', 'callback'));

CREATE FUNCTION zkml_queue_callback() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO jobs (id, kind, subject_id, status, max_attempts)
    VALUES (gen_random_uuid(), 'callback', NEW.id, 'queued', 6);
    PERFORM pg_notify('zkml_jobs', 'callback');
    RETURN NEW;
END
$$;

CREATE TRIGGER inferences_callback AFTER UPDATE OF status ON inferences
    FOR EACH ROW
    WHEN (NEW.callback_url IS NOT NULL AND OLD.status IS DISTINCT FROM NEW.status
          AND NEW.status IN ('succeeded', 'failed', 'cancelled'))
    EXECUTE FUNCTION zkml_queue_callback();

-- A free-form metadata map stored with each inference request (string keys and values, bounded
-- by the API: at most 32 keys of 64 characters, values of 512).
ALTER TABLE inferences ADD COLUMN metadata jsonb;
