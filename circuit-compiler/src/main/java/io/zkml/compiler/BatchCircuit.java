package io.zkml.compiler;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.zkml.compiler.ir.CircuitIr;
import io.zkml.compiler.ir.IrReader;
import io.zkml.compiler.ir.IrTensor;
import io.zkml.compiler.ir.IrValidationException;
import io.zkml.compiler.ir.IrWriter;
import io.zkml.compiler.ir.ReferenceEvaluator;
import io.zkml.compiler.ir.Role;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code n} copies of one circuit in one IR document, so that one proof covers a batch of {@code n}
 * inferences (issue 8, "Batches"; docs/visibility.md, "Batches"). Row {@code k} has its own copy of
 * every input, intermediate and output tensor (named {@code <name>_b<k>}); the constants (weights,
 * thresholds) are shared. Inputs and outputs are row-major: row 0's inputs, then row 1's, ...; the
 * public inputs are the public input values of every row, then <b>one</b> commitment to the hashed
 * inputs of all rows (the same recipe, the rows' layouts concatenated), then every row's outputs.
 * So with hashed inputs a batch has {@code 1 + n·outputs} public inputs, and with private inputs
 * {@code n·outputs}.
 *
 * <p>Padding: a batch of fewer than {@code n} rows is filled up with copies of its first row
 * ({@link #pad}); their outputs are proven but not reported. A client recomputing the commitment
 * of a padded batch commits to the padded rows. Immutable and thread-safe.
 */
public final class BatchCircuit {

    /** The largest batch: the IR and the circuit grow linearly with it. */
    public static final int MAX_BATCH_SIZE = 256;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final CompiledCircuit single;
    private final int batchSize;
    private final byte[] irJson;
    private final CircuitIr ir;
    private final String circuitHash;

    private BatchCircuit(CompiledCircuit single, int batchSize, byte[] irJson, CircuitIr ir) {
        this.single = single;
        this.batchSize = batchSize;
        this.irJson = irJson;
        this.ir = ir;
        this.circuitHash = IrWriter.sha256Hex(irJson);
    }

    /**
     * The batch of {@code batchSize} copies of {@code single} (with its input visibility).
     *
     * @throws IllegalArgumentException {@code batchSize} outside {@code [1, }{@value #MAX_BATCH_SIZE}{@code ]}
     * @throws IrValidationException the batched document is invalid (e.g. a name clash)
     */
    public static BatchCircuit of(CompiledCircuit single, int batchSize) throws IrValidationException {
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batchSize must be in [1, " + MAX_BATCH_SIZE + "], got " + batchSize);
        }
        CircuitIr base = single.ir();
        Set<String> batched = new HashSet<>();
        for (IrTensor t : base.tensors()) {
            if (t.role() != Role.CONSTANT) {
                batched.add(t.name());
            }
        }
        ObjectNode doc = (ObjectNode) JSON.readTree(IrWriter.write(base));
        doc.put("name", base.name() + "-batch-" + batchSize);
        ArrayNode features = JSON.createArrayNode();
        ArrayNode labels = JSON.createArrayNode();
        ArrayNode tensors = JSON.createArrayNode();
        ArrayNode inputs = JSON.createArrayNode();
        ArrayNode ops = JSON.createArrayNode();
        ArrayNode outputs = JSON.createArrayNode();
        List<String> hashed = new ArrayList<>();
        List<String> hashedOut = new ArrayList<>();
        Set<String> committed = new HashSet<>();
        base.commitments().forEach(c -> committed.addAll(c.tensors()));
        for (JsonNode t : doc.get("tensors")) {
            if (!batched.contains(t.get("name").asString())) {
                tensors.add(t.deepCopy());
            }
        }
        for (int k = 0; k < batchSize; k++) {
            for (String f : base.features()) {
                features.add(f + "[" + k + "]");
            }
            if (base.task().equals("regression")) {
                for (String l : base.labels()) {
                    labels.add(l + "[" + k + "]");
                }
            }
            for (JsonNode t : doc.get("tensors")) {
                String name = t.get("name").asString();
                if (batched.contains(name)) {
                    ObjectNode copy = (ObjectNode) t.deepCopy();
                    copy.put("name", row(name, k));
                    tensors.add(copy);
                }
            }
            for (String in : base.inputs()) {
                inputs.add(row(in, k));
                if (committed.contains(in)) {
                    hashed.add(row(in, k));
                }
            }
            for (JsonNode op : doc.get("ops")) {
                ObjectNode copy = (ObjectNode) op.deepCopy();
                copy.set("inputs", renamed(op.get("inputs"), batched, k));
                copy.set("outputs", renamed(op.get("outputs"), batched, k));
                ops.add(copy);
            }
            for (String out : base.outputs()) {
                outputs.add(row(out, k));
                if (committed.contains(out)) {
                    hashedOut.add(row(out, k));
                }
            }
        }
        if (base.task().equals("classification")) {
            base.labels().forEach(labels::add);
        }
        // Rebuilt in the writer's key order: the canonical bytes come from IrWriter below.
        doc.set("features", features);
        doc.set("labels", labels);
        doc.set("tensors", tensors);
        doc.set("inputs", inputs);
        if (!base.commitments().isEmpty()) {
            // one commitment to every row's hashed inputs, then one to every row's hashed outputs
            ArrayNode commitments = JSON.createArrayNode();
            for (CircuitIr.Commitment c : base.commitments()) {
                ObjectNode cn = commitments.addObject().put("name", c.name()).put("domain", c.domain());
                ArrayNode ts = cn.putArray("tensors");
                (c.ofOutputs() ? hashedOut : hashed).forEach(ts::add);
            }
            doc.set("commitments", commitments);
        }
        doc.set("ops", ops);
        doc.set("outputs", outputs);
        CircuitIr ir = IrReader.read(JSON.writeValueAsBytes(doc));
        byte[] canonical = IrWriter.write(ir);
        if (single.rangeCheckLookup()) {
            // issue 7: the batch range-checks as its row does ("range_check": "lookup", first key)
            canonical = CompiledCircuit.withLookupKey(canonical);
        }
        return new BatchCircuit(single, batchSize, canonical, IrReader.read(canonical));
    }

    private static String row(String name, int k) {
        return name + "_b" + k;
    }

    private static ArrayNode renamed(JsonNode names, Set<String> batched, int k) {
        ArrayNode out = JSON.createArrayNode();
        for (JsonNode n : names) {
            String s = n.asString();
            out.add(batched.contains(s) ? row(s, k) : s);
        }
        return out;
    }

    /** The circuit one row is an inference of. */
    public CompiledCircuit single() {
        return single;
    }

    public int batchSize() {
        return batchSize;
    }

    /** The batched IR bytes (a copy): what is proven, and whose SHA-256 is {@link #circuitHash()}. */
    public byte[] irJson() {
        return irJson.clone();
    }

    public CircuitIr ir() {
        return ir;
    }

    public String circuitHash() {
        return circuitHash;
    }

    /**
     * Quantizes each real row ({@link CompiledCircuit#quantizeInput}) and pads: the batch's input.
     *
     * @throws InputValidationException a row the single circuit refuses; the message starts with
     *     {@code "row <i>: "}
     * @throws IllegalArgumentException no rows, or more than {@link #batchSize()}
     */
    public List<BigInteger> quantizeRows(List<double[]> rows) throws InputValidationException {
        checkRowCount(rows.size());
        List<List<BigInteger>> q = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            try {
                q.add(single.quantizeInput(rows.get(i)));
            } catch (InputValidationException e) {
                throw new InputValidationException(e.reason(), "row " + i + ": " + e.getMessage());
            }
        }
        return pad(q);
    }

    /**
     * The batch's input from 1 to {@link #batchSize()} quantized rows: the rows, then copies of the
     * first row up to {@link #batchSize()}, concatenated.
     */
    public List<BigInteger> pad(List<List<BigInteger>> quantizedRows) {
        checkRowCount(quantizedRows.size());
        List<BigInteger> flat = new ArrayList<>(batchSize * single.ir().inputSize());
        for (int k = 0; k < batchSize; k++) {
            List<BigInteger> r = quantizedRows.get(k < quantizedRows.size() ? k : 0);
            if (r.size() != single.ir().inputSize()) {
                throw new IllegalArgumentException("row " + k + " has " + r.size() + " values, expected " + single.ir().inputSize());
            }
            flat.addAll(r);
        }
        return List.copyOf(flat);
    }

    private void checkRowCount(int rows) {
        if (rows < 1 || rows > batchSize) {
            throw new IllegalArgumentException("a batch of this circuit has 1 to " + batchSize + " rows, got " + rows);
        }
    }

    /** The exact outputs of every row (padding rows included) for the batch's input. */
    public List<List<BigInteger>> evaluate(List<BigInteger> batchInput) {
        List<BigInteger> flat;
        try {
            flat = ReferenceEvaluator.evaluate(ir, batchInput);
        } catch (InputValidationException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return byRow(flat);
    }

    /** A flat output list (the proof's outputs) split into rows. */
    public List<List<BigInteger>> byRow(List<BigInteger> flatOutputs) {
        int per = single.ir().outputSize();
        if (flatOutputs.size() != per * batchSize) {
            throw new IllegalArgumentException("expected " + per * batchSize + " output values, got " + flatOutputs.size());
        }
        List<List<BigInteger>> rows = new ArrayList<>();
        for (int k = 0; k < batchSize; k++) {
            rows.add(List.copyOf(flatOutputs.subList(k * per, (k + 1) * per)));
        }
        return rows;
    }

    /** The one commitment to the hashed inputs of every row under {@code salt}; empty without hashed inputs. */
    public Optional<BigInteger> commitment(List<BigInteger> batchInput, BigInteger salt) {
        if (ir.commitments().isEmpty() || ir.commitments().getFirst().ofOutputs()) {
            return Optional.empty();
        }
        CompiledCircuit asCircuit = asCompiled();
        return asCircuit.commitment(batchInput, salt);
    }

    /**
     * The one commitment to the hashed outputs of every row (padding rows included, row order)
     * under {@code outputSalt}; empty without hashed outputs.
     */
    public Optional<BigInteger> outputCommitment(List<BigInteger> batchInput, BigInteger outputSalt) {
        if (!ir.hasHashedOutputs()) {
            return Optional.empty();
        }
        return asCompiled().outputCommitment(batchInput, outputSalt);
    }

    private CompiledCircuit asCompiled() {
        try {
            return CompiledCircuit.fromIr(irJson);
        } catch (io.zkml.compiler.ir.IrValidationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The batch proof's public inputs: public input values, the commitment (hashed inputs), every row's outputs. */
    public List<BigInteger> publicInputs(List<BigInteger> batchInput, BigInteger salt) {
        return publicInputs(batchInput, salt, null);
    }

    /** As {@link #publicInputs(List, BigInteger)}, with the salt of the output commitment (hashed outputs). */
    public List<BigInteger> publicInputs(List<BigInteger> batchInput, BigInteger salt, BigInteger outputSalt) {
        List<BigInteger> out = evaluate(batchInput).stream().flatMap(List::stream).toList();
        List<BigInteger> salts = new ArrayList<>();
        for (CircuitIr.Commitment c : ir.commitments()) {
            salts.add(c.ofOutputs() ? outputSalt : salt);
        }
        return ReferenceEvaluator.publicInputs(ir, batchInput, out, salts);
    }
}
