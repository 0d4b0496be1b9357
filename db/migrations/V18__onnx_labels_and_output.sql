-- Issue 6 (ONNX): class labels named at upload (the multipart field "labels", for a network whose
-- graph ends in a score vector or in an ArgMax), and a circuit's output mode ("output": "argmax":
-- the circuit ends in an argmax over the model's scores). Both null when not given.
ALTER TABLE models ADD COLUMN labels jsonb;
ALTER TABLE circuits
    ADD COLUMN output text,
    ADD CONSTRAINT circuits_output_check CHECK (output IS NULL OR output = 'argmax');
-- The format 'onnx' (io.zkml.compiler.onnx.OnnxImporter): V1 allowed only 'tribuo', so an ONNX
-- upload failed on insert.
ALTER TABLE models
    DROP CONSTRAINT models_format_check,
    ADD CONSTRAINT models_format_check CHECK (format IN ('tribuo', 'onnx'));
