-- zkml proof service, schema v5: input visibility and commitments (issue 8; docs/adr/0008).
-- Flyway migration: never edit once applied; add V6__... instead.
--
-- circuits.visibility        JSON object {"input": "public"|"hashed"|"private", "output": "public",
--                            "weights": "fixed"} as requested; NULL for circuits created before v5
--                            (all public: GET shows the default).
-- inferences.input,
-- inferences.quantized_input NULL once erased: for a circuit whose inputs are hashed or private the
--                            raw input is kept only until the prove job ends (succeeded or failed),
--                            then set to NULL (ADR 0008).
-- inferences.salt            the salt of the commitment (decimal field element), hashed inputs only;
--                            kept only until the prove job ends, then NULL. Never shown by GET.
-- inferences.commitment      the commitment to the hashed inputs (decimal field element; also in
--                            public_inputs), computed by the Java reference at request time.
-- inferences.input_hidden    true when the circuit's inputs are hashed or private: GET never shows
--                            the input, and the prove job erases it when it ends.
ALTER TABLE circuits ADD COLUMN visibility json;
ALTER TABLE inferences ALTER COLUMN input DROP NOT NULL;
ALTER TABLE inferences ALTER COLUMN quantized_input DROP NOT NULL;
ALTER TABLE inferences ADD COLUMN salt text;
ALTER TABLE inferences ADD COLUMN commitment text;
ALTER TABLE inferences ADD COLUMN input_hidden boolean NOT NULL DEFAULT false;
