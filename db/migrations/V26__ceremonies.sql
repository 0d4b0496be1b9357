-- zkml proof service, schema v26: Groth16 ceremonies (issue 7, second migration; docs/trust-model.md).
-- Flyway migration: never edit once applied; add a new one instead.
--
-- circuits.status 'awaiting_contributions': a Groth16 circuit with "trust": "ceremony" whose phase 2
--                 is open (IR and constraint system exist, no keys yet).
-- artifacts.kind  'ceremony_phase1' (phase 1 taken from the .ptau file), 'ceremony_state' (a phase-2 state).
-- ceremonies      one per ceremony circuit: phase 1, the .ptau hash, the minimum number of external
--                 contributions, and once finalized the beacon.
-- ceremony_contributions  the chain of states: index 0 is the initial state (no randomness), index 1
--                 the service's contribution, then the uploaded ones, each verified against the one before.
ALTER TABLE circuits
    DROP CONSTRAINT circuits_status_check,
    ADD CONSTRAINT circuits_status_check
        CHECK (status IN ('queued', 'compiling', 'setting_up', 'awaiting_contributions', 'ready', 'failed'));
ALTER TABLE artifacts
    DROP CONSTRAINT artifacts_kind_check,
    ADD CONSTRAINT artifacts_kind_check CHECK (kind IN ('ir', 'constraint_system', 'proving_key', 'verifying_key',
                                                        'verifier_solidity', 'ceremony_phase1', 'ceremony_state'));
CREATE TABLE ceremonies (
    circuit_id        uuid        PRIMARY KEY REFERENCES circuits (id),
    phase1_sha256     char(64)    NOT NULL REFERENCES artifacts (sha256),
    srs_sha256        char(64)    NOT NULL,
    srs_power         integer     NOT NULL,
    min_contributions integer     NOT NULL CHECK (min_contributions >= 0),
    beacon            text,
    finalized_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CHECK ((beacon IS NULL) = (finalized_at IS NULL))
);
CREATE TABLE ceremony_contributions (
    circuit_id   uuid        NOT NULL REFERENCES ceremonies (circuit_id),
    index        integer     NOT NULL CHECK (index >= 0),
    state_sha256 char(64)    NOT NULL REFERENCES artifacts (sha256),
    contributor  text        NOT NULL CHECK (contributor IN ('initial', 'service', 'external')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (circuit_id, index)
);
