-- zkml proof service, schema v3: what kind of computation a model is (tree models and ensembles).
-- Flyway migration: never edit once applied; add V4__... instead.
--
-- family        'linear' | 'tree' | 'ensemble' (ModelFamily.apiName())
-- member_count  ensemble members; 1 for a single model
-- max_depth     the deepest tree's depth (split nodes on the longest root-to-leaf path); 0 for linear
--
-- Every model stored before v3 is a linear SGD model (the only kind v1 and v2 accepted): the
-- columns are added with those values, then made NOT NULL without a default, so that every new
-- row states them.
ALTER TABLE models
    ADD COLUMN family       text,
    ADD COLUMN member_count integer,
    ADD COLUMN max_depth    integer;

UPDATE models SET family = 'linear', member_count = 1, max_depth = 0;

ALTER TABLE models
    ALTER COLUMN family       SET NOT NULL,
    ALTER COLUMN member_count SET NOT NULL,
    ALTER COLUMN max_depth    SET NOT NULL,
    ADD CONSTRAINT models_family_check       CHECK (family IN ('linear', 'tree', 'ensemble')),
    ADD CONSTRAINT models_member_count_check CHECK (member_count >= 1),
    ADD CONSTRAINT models_max_depth_check    CHECK (max_depth >= 0),
    ADD CONSTRAINT models_linear_shape_check CHECK (family <> 'linear' OR (member_count = 1 AND max_depth = 0)),
    ADD CONSTRAINT models_tree_shape_check   CHECK (family <> 'tree' OR member_count = 1);
