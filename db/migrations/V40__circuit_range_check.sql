-- Issue 7: how a circuit range-checks its values. 'bits' (bit decompositions, plain Groth16/PLONK)
-- or 'lookup' (gnark's std/rangecheck, LogUp over one BSB22 commitment; Groth16 only). The IR of a
-- lookup circuit says "range_check": "lookup", so the two circuits of one model have different
-- circuit hashes. Circuits made before this migration are 'bits'.
ALTER TABLE circuits ADD COLUMN range_check text NOT NULL DEFAULT 'bits'
    CHECK (range_check IN ('bits', 'lookup'));
