-- zkml proof service, schema v16: PLONK circuits and the trust of a circuit's setup (issue 7;
-- docs/trust-model.md, docs/adr/0012, docs/adr/0013).
-- Flyway migration: never edit once applied; add a new one instead.
--
-- circuits.proving_system  'groth16' or now 'plonk' (BN254, KZG).
-- circuits.setup_trust     who must be honest for the circuit's proofs to mean anything, decided when
--                          the circuit is created: 'single-party' (Groth16 set up by the service),
--                          'universal-srs' (PLONK on the configured powers-of-tau file),
--                          'local-unsafe' (PLONK on an SRS the service drew itself; development only),
--                          'ceremony' (reserved: Groth16 phase 2 by a multi-party ceremony).
--                          NULL for circuits created before v16 (all Groth16, single-party).
-- circuits.setup           JSON object, filled by the compile job from the keys' header: {"trust": ..,
--                          "srsSha256": .. (SHA-256 of the .ptau file), "srsPower": .., "srsSize": ..}.
ALTER TABLE circuits
    DROP CONSTRAINT circuits_proving_system_check,
    ADD CONSTRAINT circuits_proving_system_check CHECK (proving_system IN ('groth16', 'plonk')),
    ADD COLUMN setup_trust text CHECK (setup_trust IN ('single-party', 'universal-srs', 'local-unsafe', 'ceremony')),
    ADD COLUMN setup json,
    ADD CONSTRAINT circuits_setup_trust_system_check CHECK (setup_trust IS NULL
        OR (proving_system = 'groth16' AND setup_trust IN ('single-party', 'ceremony'))
        OR (proving_system = 'plonk' AND setup_trust IN ('universal-srs', 'local-unsafe')));
