-- Issue 10: an example consumer contract deployed with a circuit's deployment (docs/relayer.md),
-- {"contract": "RiskBasedLendingPool", "address": "0x...", "collateralFactorsBps": {label: bps}}, or NULL.
ALTER TABLE chain_deployments ADD COLUMN consumer jsonb;
