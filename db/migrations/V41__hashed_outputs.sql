-- Issue 8: hashed outputs. A circuit with "visibility": {"output": "hashed"} proves a Poseidon2
-- commitment to its outputs (domain zkml-outputs-v1, docs/commitments.md) instead of the outputs.
--   output_salt        the salt of that commitment, a decimal field element: kept only until the
--                      prove job ends, then set to NULL with the outputs (ADR 0008)
--   output_commitment  the commitment (a decimal field element), the proof's last public input
ALTER TABLE inferences ADD COLUMN output_salt text;
ALTER TABLE inferences ADD COLUMN output_commitment text;
-- A succeeded inference has its outputs, or (hashed outputs) only their commitment: the outputs
-- were shown to the requester once and are not stored.
ALTER TABLE inferences DROP CONSTRAINT inferences_check;
ALTER TABLE inferences ADD CONSTRAINT inferences_check
    CHECK (status <> 'succeeded' OR (proof IS NOT NULL AND public_inputs IS NOT NULL
                                     AND (output IS NOT NULL OR output_commitment IS NOT NULL)));
