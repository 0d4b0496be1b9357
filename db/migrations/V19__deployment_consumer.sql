-- Issue 10 (docs/relayer.md):
-- chain_deployments.consumer       an example consumer contract deployed with the deployment,
--                                  {"contract": "RiskBasedLendingPool", "address": "0x...",
--                                  "collateralFactorsBps": {label: bps}}, or NULL.
-- chain_deployments.hashed_inputs  the circuit's inputs are hashed: a request's one input word is the
--                                  Poseidon2 commitment, answered with the proof of the circuit's
--                                  inference that carries it (ADR 0017).
-- chain_cursors.last_block_hash    the hash of the last block scanned (next_block - 1): when the chain
--                                  no longer has it, a reorg deeper than the confirmations happened and
--                                  the relayer rescans zkml.chain.reorg-rescan-blocks back.
ALTER TABLE chain_deployments ADD COLUMN consumer jsonb;
ALTER TABLE chain_deployments ADD COLUMN hashed_inputs boolean NOT NULL DEFAULT false;
CREATE INDEX inferences_circuit_commitment ON inferences (circuit_id, commitment) WHERE commitment IS NOT NULL;
ALTER TABLE chain_cursors ADD COLUMN last_block_hash text;
