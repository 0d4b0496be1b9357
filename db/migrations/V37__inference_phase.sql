-- Issue 9: the phase of a running prove job, as the prove handler can honestly report it. The
-- native call computes the witness and the proof in one go, so they are one phase:
--   queued   no worker holds the job (also after a requeue)
--   loading  a worker holds it and loads the circuit and its proving key (its cache, or the store)
--   proving  the native prover runs (witness and proof)
--   checking the proof's outputs and public inputs are compared with the Java reference, fidelity
-- An ended inference (succeeded, failed, cancelled) is shown as phase "done" whatever is stored.
ALTER TABLE inferences ADD COLUMN phase text NOT NULL DEFAULT 'queued'
    CHECK (phase IN ('queued', 'loading', 'proving', 'checking'));
