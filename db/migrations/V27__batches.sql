-- zkml proof service, schema v27: batches (issue 8, docs/visibility.md "Batches").
-- Issue 8's reserved V15 is older than the applied V26 and spring.flyway has no outOfOrder, so this
-- is V27. Flyway migration: never edit once applied.
--
-- circuits.batch_size          rows one proof covers (1: no batches, the circuit proves single inferences).
--                              With batch_size > 1 the circuit's IR (ir_sha256, circuit_hash) is the
--                              BatchCircuit IR, and single_ir_sha256 the one-row circuit it repeats.
-- inferences.batch_rows        NULL for an inference; for a batch (POST /v1/circuits/{id}/batches) the
--                              number of rows the client sent (1..batch_size). A batch is an inference
--                              row: input is the rows' real values concatenated (erased like an
--                              inference's for hidden inputs), quantized_input the padded batch input,
--                              output and fidelity JSON arrays with one element per sent row.
ALTER TABLE circuits ADD COLUMN batch_size integer NOT NULL DEFAULT 1;
ALTER TABLE circuits ADD COLUMN single_ir_sha256 text;
ALTER TABLE inferences ADD COLUMN batch_rows integer;
