-- zkml proof service, schema v9: API keys, and the owner of every model, circuit and inference.
-- Flyway migration: never edit once applied; add V10__... instead.
--
-- A key is a random 256-bit secret, shown once when created; only its SHA-256 is stored (ADR 0014).
-- An owner is a name (a customer, a team); every key belongs to one, and so does every resource a
-- key creates. One owner's keys never see another owner's models, circuits or inferences.
CREATE TABLE api_keys (
    id                  uuid        PRIMARY KEY,
    owner               text        NOT NULL CHECK (owner ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    name                text        NOT NULL DEFAULT '',
    key_sha256          char(64)    NOT NULL UNIQUE,  -- SHA-256 of the whole key, lowercase hex
    key_prefix          text        NOT NULL,         -- the key's first characters, to tell keys apart
    scopes              text[]      NOT NULL CHECK (scopes <@ ARRAY['read', 'prove', 'admin']::text[]
                                                     AND cardinality(scopes) >= 1),
    proofs_per_minute   integer     CHECK (proofs_per_minute >= 1),    -- NULL: zkml.auth.default-proofs-per-minute
    max_concurrent_jobs integer     CHECK (max_concurrent_jobs >= 1),  -- NULL: zkml.auth.default-max-concurrent-jobs
    created_at          timestamptz NOT NULL DEFAULT now(),
    revoked_at          timestamptz
);

-- The owner of the request that inserts a row: the API sets zkml.owner for its transaction
-- (set_config(..., true), OwnerTransactionManager); rows inserted without it, and every row stored
-- before v9, belong to the anonymous development owner.
CREATE FUNCTION zkml_request_owner() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('zkml.owner', true), ''), 'anonymous')
$$;

ALTER TABLE models     ADD COLUMN owner text NOT NULL DEFAULT zkml_request_owner();
ALTER TABLE circuits   ADD COLUMN owner text NOT NULL DEFAULT zkml_request_owner();
ALTER TABLE inferences ADD COLUMN owner text NOT NULL DEFAULT zkml_request_owner();

-- List endpoints: newest first, by owner, with a (created_at, id) cursor.
CREATE INDEX models_owner_created_idx     ON models (owner, created_at DESC, id DESC);
CREATE INDEX circuits_owner_created_idx   ON circuits (owner, created_at DESC, id DESC);
CREATE INDEX inferences_owner_created_idx ON inferences (owner, created_at DESC, id DESC);
CREATE INDEX inferences_circuit_created_idx ON inferences (circuit_id, created_at DESC, id DESC);
-- Quotas: an owner's unfinished work.
CREATE INDEX circuits_owner_active_idx   ON circuits (owner) WHERE status IN ('queued', 'compiling', 'setting_up');
CREATE INDEX inferences_owner_active_idx ON inferences (owner) WHERE status IN ('queued', 'proving');

-- Idempotency keys are per owner: two owners may use the same key without seeing each other's resources.
ALTER TABLE idempotency_keys ADD COLUMN owner text NOT NULL DEFAULT zkml_request_owner();
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (owner, scope, key);
