-- Issue 8: hashed outputs. A circuit with "visibility": {"output": "hashed"} proves a Poseidon2
-- commitment to its outputs (domain zkml-outputs-v1, docs/commitments.md) instead of the outputs.
--   output_salt        the salt of that commitment, a decimal field element: kept only until the
--                      prove job ends, then set to NULL with the outputs (ADR 0008)
--   output_commitment  the commitment (a decimal field element), the proof's last public input
ALTER TABLE inferences ADD COLUMN output_salt text;
ALTER TABLE inferences ADD COLUMN output_commitment text;
