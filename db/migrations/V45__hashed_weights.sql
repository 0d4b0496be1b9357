-- Issue 8: hashed weights (ADR 0025). A circuit with "visibility": {"weights": "hashed"} has no
-- weight value in its IR: the dense weights and biases are hashed constants (declared ranges), the
-- prover takes them as private witness, and one Poseidon2 commitment to them (domain
-- zkml-weights-v1, docs/commitments.md) is a public input of every proof.
--   weights_sha256      the artifact of kind 'weights' holding the private weights (zkml-weights JSON),
--                       which the prove job gives the prover; NULL for fixed weights
--   weights_salt        the salt of the weights commitment, a decimal field element: one per circuit,
--                       kept for the circuit's lifetime (every proof needs it); shown once to the creator
--                       when the service drew it
--   weights_commitment  the commitment (a decimal field element): shown on the circuit, pinned by a
--                       registry, checked by POST /v1/verifications
ALTER TABLE circuits ADD COLUMN weights_sha256 text;
ALTER TABLE circuits ADD COLUMN weights_salt text;
ALTER TABLE circuits ADD COLUMN weights_commitment text;
CREATE INDEX circuits_weights_sha256_idx ON circuits (weights_sha256);
ALTER TABLE artifacts
    DROP CONSTRAINT artifacts_kind_check,
    ADD CONSTRAINT artifacts_kind_check CHECK (kind IN ('ir', 'constraint_system', 'proving_key', 'verifying_key',
                                                        'verifier_solidity', 'ceremony_phase1', 'ceremony_state',
                                                        'weights'));
