-- zkml proof service, schema v1.
-- Flyway migration: never edit once applied; add V2__..., V3__... instead.
-- Every timestamp that orders or expires work comes from the database clock (now()), so that
-- workers on many machines agree on lease expiry. Documents shown to API users (settings,
-- quantization, output, fidelity, timings, versions) are `json`, which keeps their key order
-- (`jsonb` would sort the keys); arrays and machine-only documents are `jsonb`.

-- Uploaded models. The bytes are kept (so a circuit can be recompiled with another compiler
-- version) and were parsed successfully once; nothing is stored for an upload that fails.
CREATE TABLE models (
    id          uuid        PRIMARY KEY,
    name        text        NOT NULL,
    format      text        NOT NULL CHECK (format IN ('tribuo')),
    sha256      char(64)    NOT NULL,
    model_class text        NOT NULL,
    task        text        NOT NULL CHECK (task IN ('classification', 'regression')),
    features    jsonb       NOT NULL,            -- feature names, in input order
    outputs     jsonb       NOT NULL,            -- labels (argmax order) or regression dimension names
    size_bytes  integer     NOT NULL,
    bytes       bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX models_sha256_idx ON models (sha256);

-- Content-addressed artifacts: IR, constraint system, keys, verifier source. `versions` records
-- the programs that made the bytes (compiler, gnark, ABI, curve): a worker refuses to load an
-- artifact made by another gnark or ABI version.
CREATE TABLE artifacts (
    sha256     char(64)    PRIMARY KEY,
    kind       text        NOT NULL CHECK (kind IN ('ir', 'constraint_system', 'proving_key',
                                                    'verifying_key', 'verifier_solidity')),
    size_bytes bigint      NOT NULL,
    bytes      bytea       NOT NULL,
    versions   jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE circuits (
    id                 uuid        PRIMARY KEY,
    model_id           uuid        NOT NULL REFERENCES models (id),
    status             text        NOT NULL CHECK (status IN ('queued', 'compiling', 'setting_up', 'ready', 'failed')),
    proving_system     text        NOT NULL CHECK (proving_system IN ('groth16')),
    settings           json        NOT NULL,     -- quantization settings as requested
    quantization       json,                     -- quantization as used (the compiler's report)
    constraints        integer,
    public_inputs      integer,
    circuit_hash       char(64),                 -- SHA-256 of the IR bytes
    verifying_key_hash char(64),                 -- SHA-256 of the verifying-key file
    ir_sha256          char(64)    REFERENCES artifacts (sha256),
    cs_sha256          char(64)    REFERENCES artifacts (sha256),
    pk_sha256          char(64)    REFERENCES artifacts (sha256),
    vk_sha256          char(64)    REFERENCES artifacts (sha256),
    verifier_sha256    char(64)    REFERENCES artifacts (sha256),
    versions           json,                     -- compiler, gnark, ABI, curve, Go
    timings            json,                     -- compileMillis, constraintSystemMillis, setupMillis
    error              text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'ready' OR (ir_sha256 IS NOT NULL AND cs_sha256 IS NOT NULL AND pk_sha256 IS NOT NULL
                                 AND vk_sha256 IS NOT NULL AND verifier_sha256 IS NOT NULL)),
    CHECK (status <> 'failed' OR error IS NOT NULL)
);
CREATE INDEX circuits_model_idx ON circuits (model_id);

CREATE TABLE inferences (
    id              uuid        PRIMARY KEY,
    circuit_id      uuid        NOT NULL REFERENCES circuits (id),
    status          text        NOT NULL CHECK (status IN ('queued', 'proving', 'succeeded', 'failed')),
    input           jsonb       NOT NULL,        -- the real-valued input, feature order
    quantized_input jsonb       NOT NULL,        -- decimal strings, checked against the circuit's ranges
    output          json,                        -- dequantized: {"label": ..} or {"values": {..}}
    public_inputs   jsonb,                       -- decimal field elements, verifier order
    proof           text,                        -- 0x + 256 bytes hex
    calldata        text,                        -- 0x + full verifyProof calldata
    fidelity        json,
    timings         json,                        -- queueMillis, witnessMillis, proveMillis
    error           text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    CHECK (status <> 'succeeded' OR (proof IS NOT NULL AND public_inputs IS NOT NULL AND output IS NOT NULL)),
    CHECK (status <> 'failed' OR error IS NOT NULL)
);
CREATE INDEX inferences_circuit_idx ON inferences (circuit_id);

-- The job queue. Workers claim with SELECT ... FOR UPDATE SKIP LOCKED, hold a lease that they
-- extend by heartbeats, and a reaper re-queues jobs whose lease expired (a worker died), until
-- attempts reach max_attempts.
CREATE TABLE jobs (
    id               uuid        PRIMARY KEY,
    kind             text        NOT NULL CHECK (kind IN ('compile', 'prove')),
    subject_id       uuid        NOT NULL,       -- circuits.id (compile) or inferences.id (prove)
    status           text        NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts     integer     NOT NULL CHECK (max_attempts >= 1),
    run_after        timestamptz NOT NULL DEFAULT now(),
    lease_owner      text,
    lease_expires_at timestamptz,
    heartbeat_at     timestamptz,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,                -- first claim
    finished_at      timestamptz,
    CHECK ((status = 'running') = (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL))
);
CREATE INDEX jobs_claimable_idx ON jobs (run_after, created_at) WHERE status = 'queued';
CREATE INDEX jobs_leases_idx ON jobs (lease_expires_at) WHERE status = 'running';
CREATE INDEX jobs_subject_idx ON jobs (subject_id);
