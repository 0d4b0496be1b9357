-- zkml proof service, schema v4: the constraints each op kind of a circuit adds.
-- Flyway migration: never edit once applied; add V5__... instead.
--
-- constraints_by_op  JSON object, op kind -> constraints, in circuit order, as gnark counts them
--                    (input_range, dense, rescale, argmax, split_bits, tree, weighted_sum, output);
--                    the values sum to constraints. NULL until compiled, and for circuits compiled
--                    before v4 (GET /v1/circuits/{id} then omits it).
ALTER TABLE circuits ADD COLUMN constraints_by_op json;
