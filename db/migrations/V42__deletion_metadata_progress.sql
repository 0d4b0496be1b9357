-- Issue 9 (item 5 leftovers, helper 9a): metadata on models and circuits, the step a compile job
-- is on, and what deletion (DELETE /v1/models/{id}, /v1/circuits/{id}) needs. Flyway migration:
-- never edit once applied.
--
-- models.metadata, circuits.metadata  the request's free-form map (string keys and values, bounded by
--                                     the API like inferences.metadata: 32 keys of 64, values of 512).
--                                     Batches are inferences rows: their metadata is inferences.metadata.
-- circuits.step                       the compile job's step while it runs (docs/operations.md "Progress"):
--                                     compile, constraint-system, setup, export; NULL when queued or ended.
-- Deletion removes rows (no soft delete); the artifacts a deleted circuit referred to are removed once
-- no circuit, ceremony or contribution refers to them (the GC looks them up by these indexes).
ALTER TABLE models ADD COLUMN metadata jsonb;
ALTER TABLE circuits ADD COLUMN metadata jsonb;
ALTER TABLE circuits ADD COLUMN step text CHECK (step IN ('compile', 'constraint-system', 'setup', 'export'));
CREATE INDEX inferences_owner_batches_idx ON inferences (owner, created_at DESC, id DESC) WHERE batch_rows IS NOT NULL;
CREATE INDEX circuits_ir_sha256_idx ON circuits (ir_sha256);
CREATE INDEX circuits_cs_sha256_idx ON circuits (cs_sha256);
CREATE INDEX circuits_pk_sha256_idx ON circuits (pk_sha256);
CREATE INDEX circuits_vk_sha256_idx ON circuits (vk_sha256);
CREATE INDEX circuits_verifier_sha256_idx ON circuits (verifier_sha256);
CREATE INDEX circuits_single_ir_sha256_idx ON circuits (single_ir_sha256);
CREATE INDEX ceremonies_phase1_idx ON ceremonies (phase1_sha256);
CREATE INDEX ceremony_contributions_state_idx ON ceremony_contributions (state_sha256);
