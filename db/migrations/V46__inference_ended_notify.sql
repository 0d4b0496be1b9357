-- Issue 9 (ADR 0027): GET /v1/inferences/{id}?wait=<seconds> answers as soon as the inference ends.
-- When an inference reaches an end status (succeeded, failed, cancelled), whichever process and
-- code path did it (a worker's completion, the reaper giving up, a cancellation), a NOTIFY on
-- zkml_inference_ended carries its id; PostgreSQL delivers it when the transaction commits, to
-- every API process that LISTENs (a waiting GET re-reads the row then).
CREATE FUNCTION zkml_notify_inference_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('zkml_inference_ended', NEW.id::text);
    RETURN NEW;
END
$$;

CREATE TRIGGER inferences_ended_notify AFTER UPDATE OF status ON inferences
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status AND NEW.status IN ('succeeded', 'failed', 'cancelled'))
    EXECUTE FUNCTION zkml_notify_inference_ended();
