-- The service's chain side (issue 10, docs/relayer.md): verifiers deployed and registered per
-- circuit, the relayer's block cursor, and every oracle request it has seen.

CREATE TABLE chain_deployments (
    id                 uuid        PRIMARY KEY,
    circuit_id         uuid        NOT NULL REFERENCES circuits (id),
    chain              text        NOT NULL,
    chain_id           bigint      NOT NULL,
    registry_address   text        NOT NULL,
    oracle_address     text,
    verifier_address   text        NOT NULL,
    registry_model_id  numeric(78, 0) NOT NULL,
    input_words        integer     NOT NULL,
    output_words       integer     NOT NULL,
    transactions       jsonb       NOT NULL,   -- [{"step", "hash", "gasUsed", "blockNumber"}]
    created_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (chain, registry_address, registry_model_id)
);
CREATE INDEX chain_deployments_circuit ON chain_deployments (circuit_id, created_at);

CREATE TABLE chain_cursors (
    chain            text        NOT NULL,
    oracle_address   text        NOT NULL,
    next_block       bigint      NOT NULL,   -- the first block not scanned yet
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (chain, oracle_address)
);

CREATE TABLE oracle_requests (
    chain              text        NOT NULL,
    oracle_address     text        NOT NULL,
    request_id         numeric(78, 0) NOT NULL,
    deployment_id      uuid        NOT NULL REFERENCES chain_deployments (id),
    inputs             jsonb       NOT NULL,   -- decimal field elements, as requested
    deadline           bigint      NOT NULL,   -- unix seconds
    block_number       bigint      NOT NULL,
    request_tx_hash    text        NOT NULL,
    status             text        NOT NULL CHECK (status IN ('proving', 'submitted', 'fulfilled', 'fulfilled_by_other',
                                                               'expired', 'failed')),
    inference_id       uuid        REFERENCES inferences (id),
    fulfil_tx_hash     text,
    fulfil_raw_tx      text,                   -- signed before it is sent, so a restart re-sends the same one
    fulfil_gas_used    bigint,
    attempts           integer     NOT NULL DEFAULT 0,
    error              text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (chain, oracle_address, request_id)
);
CREATE INDEX oracle_requests_open ON oracle_requests (status) WHERE status IN ('proving', 'submitted');
