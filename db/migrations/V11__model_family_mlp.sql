-- Issue 6 (ONNX): the family 'mlp' (ModelFamily.MLP, a feed-forward network read from ONNX).
-- An MLP is one model (member_count 1) without trees (max_depth 0).
ALTER TABLE models
    DROP CONSTRAINT models_family_check,
    ADD CONSTRAINT models_family_check CHECK (family IN ('linear', 'tree', 'ensemble', 'mlp')),
    ADD CONSTRAINT models_mlp_shape_check CHECK (family <> 'mlp' OR (member_count = 1 AND max_depth = 0));
