-- Idempotency-Key support for POST requests that create resources: a retried request with the
-- same key and the same body gets the resource the first request created, never a second one.
-- The row is written in the transaction that creates the resource, so a request that failed
-- leaves no key behind and can be retried.
CREATE TABLE idempotency_keys (
    scope          text        NOT NULL,    -- method and path, e.g. 'POST /v1/circuits/<id>/inferences'
    key            text        NOT NULL,    -- the client's Idempotency-Key header
    request_sha256 char(64)    NOT NULL,    -- of the request that used the key first
    resource_id    uuid        NOT NULL,    -- what that request created
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
