package io.zkml.compiler;

import io.zkml.compiler.ir.CircuitIr;
import io.zkml.compiler.ir.IrGraph;
import io.zkml.compiler.ir.IrOp;
import io.zkml.compiler.ir.IrReader;
import io.zkml.compiler.ir.IrTensor;
import io.zkml.compiler.ir.IrValidationException;
import io.zkml.compiler.ir.IrWriter;
import io.zkml.compiler.ir.ReferenceEvaluator;
import io.zkml.compiler.ir.Role;
import io.zkml.compiler.ir.Visibility;
import io.zkml.compiler.ir.ops.ArgmaxOp;
import io.zkml.compiler.ir.ops.DenseOp;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A compiled circuit: the canonical IR bytes, the IR, its hash and how it was quantized, plus the
 * exact reference semantics (quantize an input, evaluate, dequantize). Immutable and thread-safe.
 * Built by {@link CircuitCompiler#compile} or from stored IR bytes with {@link #fromIr(byte[])}.
 */
public final class CompiledCircuit {

    private final byte[] irJson;
    private final CircuitIr ir;
    private final String circuitHash;
    private final QuantizationReport quantization;
    private final Task task;
    /**
     * The tensor of the scores an argmax reads (classification through an argmax), or else the
     * (first) output tensor.
     */
    private final IrTensor scoreTensor;

    private CompiledCircuit(byte[] irJson, CircuitIr ir) throws IrValidationException {
        this.irJson = irJson;
        this.ir = ir;
        this.circuitHash = IrWriter.sha256Hex(irJson);
        this.task = Task.fromIrName(ir.task());
        IrTensor out = ir.outputTensors().getFirst();
        IrOp last = ir.ops().stream().filter(o -> o.outputs().contains(out.name())).findFirst().orElse(null);
        this.scoreTensor = last instanceof ArgmaxOp a ? ir.requireTensor(a.x()) : out;
        this.quantization = report(ir, scoreTensor);
    }

    /**
     * Reads stored IR bytes (validated by {@link IrReader}). The hash is of exactly these bytes.
     *
     * @throws IrValidationException the bytes are not a valid IR document (version 2, or version 1,
     *                               which is lifted), or its input tensors have different scales
     *                               (one input scale is what {@link #quantizeInput} needs)
     */
    public static CompiledCircuit fromIr(byte[] irJson) throws IrValidationException {
        byte[] copy = irJson == null ? null : irJson.clone();
        return new CompiledCircuit(copy, IrReader.read(copy));
    }

    /**
     * This circuit with every input of the given visibility (docs/ir-format.md, "Visibility"): the
     * same graph, with the input tensors {@code public}, {@code private} or {@code hashed} and, for
     * {@code hashed}, the commitment to them ({@value IrGraph#INPUT_COMMITMENT}). {@code public}
     * returns this circuit unchanged (same bytes, same circuit hash).
     *
     * @throws IrValidationException the document would be invalid (a hashed input wider than 248 bits)
     * @throws IllegalArgumentException a visibility inputs cannot have
     */
    public CompiledCircuit withInputVisibility(Visibility visibility) throws IrValidationException {
        return withVisibility(visibility, outputVisibility());
    }

    /**
     * This circuit with every input of {@code input} visibility and every output of {@code output}
     * visibility ({@code public} or {@code hashed}: issue 8, a commitment to the outputs, domain
     * {@value CircuitIr.Commitment#OUTPUTS_DOMAIN}, replaces them as public inputs). Unchanged
     * visibilities return this circuit (same bytes, same circuit hash).
     *
     * @throws IrValidationException the document would be invalid (a hashed value wider than 248 bits)
     * @throws IllegalArgumentException a visibility inputs or outputs cannot have
     */
    public CompiledCircuit withVisibility(Visibility input, Visibility output) throws IrValidationException {
        if (!Role.INPUT.accepts(input)) {
            throw new IllegalArgumentException("inputs cannot be " + input.irName());
        }
        if (!Role.OUTPUT.accepts(output)) {
            throw new IllegalArgumentException("outputs cannot be " + output.irName());
        }
        if (ir.inputTensors().stream().allMatch(t -> t.visibility() == input)
                && ir.outputTensors().stream().allMatch(t -> t.visibility() == output)) {
            return this;
        }
        List<IrTensor> tensors = ir.tensors().stream().map(t -> switch (t.role()) {
            case INPUT -> IrTensor.input(t.name(), input, t.shape(), t.scale(), t.lo(), t.hi());
            case OUTPUT -> new IrTensor(t.name(), Role.OUTPUT, output, t.shape(), t.scale(), t.lo(), t.hi(), null);
            default -> t;
        }).toList();
        List<CircuitIr.Commitment> commitments = new java.util.ArrayList<>();
        if (input == Visibility.HASHED) {
            commitments.add(new CircuitIr.Commitment(IrGraph.INPUT_COMMITMENT, CircuitIr.Commitment.INPUTS_DOMAIN, ir.inputs()));
        }
        if (output == Visibility.HASHED) {
            commitments.add(new CircuitIr.Commitment(IrGraph.OUTPUT_COMMITMENT, CircuitIr.Commitment.OUTPUTS_DOMAIN, ir.outputs()));
        }
        CircuitIr changed = new CircuitIr(ir.format(), ir.version(), ir.field(), ir.name(), ir.task(), ir.producer(),
                ir.source(), ir.quantization(), ir.features(), ir.labels(), tensors, ir.inputs(), ir.ops(), ir.outputs(),
                commitments);
        return fromIr(IrWriter.write(changed));
    }

    /**
     * This circuit with every range check made by lookup (issue 7; docs/ir-format.md, "Range checks"):
     * the same document with {@code "range_check": "lookup"} as its first key, so a new circuit hash.
     * The graph and the reference evaluation are unchanged; the native library builds the range checks
     * with gnark's std/rangecheck (Groth16 with one BSB22 commitment).
     *
     * @throws IrValidationException never for a valid circuit (the result is re-read)
     */
    public CompiledCircuit withRangeCheckLookup() throws IrValidationException {
        if (rangeCheckLookup()) {
            return this;
        }
        return fromIr(withLookupKey(irJson));
    }

    /** Whether the document says {@code "range_check": "lookup"} (issue 7). */
    public boolean rangeCheckLookup() {
        return rangeCheckLookup(irJson);
    }

    static boolean rangeCheckLookup(byte[] irJson) {
        try {
            return "lookup".equals(tools.jackson.databind.json.JsonMapper.builder().build().readTree(irJson)
                    .path("range_check").asString(""));
        } catch (tools.jackson.core.JacksonException e) {
            return false; // the reader accepted these bytes
        }
    }

    /** The IR bytes with {@code "range_check":"lookup",} as the first key. */
    static byte[] withLookupKey(byte[] irJson) {
        String text = new String(irJson, java.nio.charset.StandardCharsets.UTF_8);
        int brace = text.indexOf('{');
        return (text.substring(0, brace + 1) + "\"range_check\":\"lookup\"," + text.substring(brace + 1))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The visibility of the outputs ({@code public} or {@code hashed}; the compiler gives all outputs one). */
    public Visibility outputVisibility() {
        return ir.outputTensors().getFirst().visibility();
    }

    /** The visibility of the inputs (the compiler gives all inputs one). */
    public Visibility inputVisibility() {
        return ir.inputTensors().getFirst().visibility();
    }

    /**
     * The commitment to the hashed inputs of a quantized input under {@code salt}
     * (docs/commitments.md), as the circuit's public input; empty without hashed inputs.
     */
    public Optional<BigInteger> commitment(List<BigInteger> quantizedInput, BigInteger salt) {
        if (ir.commitments().isEmpty() || ir.commitments().getFirst().ofOutputs()) {
            return Optional.empty();
        }
        CircuitIr.Commitment c = ir.commitments().getFirst();
        CircuitIr inputsOnly = new CircuitIr(ir.format(), ir.version(), ir.field(), ir.name(), ir.task(), ir.producer(),
                ir.source(), ir.quantization(), ir.features(), ir.labels(), ir.tensors(), ir.inputs(), ir.ops(), ir.outputs(),
                List.of(c));
        return Optional.of(ReferenceEvaluator.commitments(inputsOnly, quantizedInput, null, List.of(salt)).getFirst());
    }

    /**
     * The commitment to the hashed outputs (issue 8; docs/commitments.md, domain
     * {@value CircuitIr.Commitment#OUTPUTS_DOMAIN}) of the circuit's evaluation of a quantized
     * input under {@code outputSalt}; empty without hashed outputs.
     */
    public Optional<BigInteger> outputCommitment(List<BigInteger> quantizedInput, BigInteger outputSalt) {
        return outputCommitmentOf(evaluate(quantizedInput), outputSalt);
    }

    /** The commitment to the given output values (all outputs, output order) under {@code outputSalt}; empty without hashed outputs. */
    public Optional<BigInteger> outputCommitmentOf(List<BigInteger> output, BigInteger outputSalt) {
        if (!ir.hasHashedOutputs()) {
            return Optional.empty();
        }
        CircuitIr.Commitment c = ir.commitments().getLast();
        CircuitIr outputsOnly = new CircuitIr(ir.format(), ir.version(), ir.field(), ir.name(), ir.task(), ir.producer(),
                ir.source(), ir.quantization(), ir.features(), ir.labels(), ir.tensors(), ir.inputs(), ir.ops(), ir.outputs(),
                List.of(c));
        return Optional.of(ReferenceEvaluator.commitments(outputsOnly, null, output, List.of(outputSalt)).getFirst());
    }

    /**
     * The circuit's public inputs by visibility (public input values, the commitment under
     * {@code salt} if the inputs are hashed, then the outputs, as field elements).
     *
     * @param salt the salt of the commitment; ignored (may be null) without hashed inputs
     */
    public List<BigInteger> publicInputs(List<BigInteger> quantizedInput, BigInteger salt) {
        return publicInputs(quantizedInput, salt, null);
    }

    /**
     * The circuit's public inputs with the salt of the input commitment ({@code salt}, ignored without
     * hashed inputs) and that of the output commitment ({@code outputSalt}, ignored without hashed outputs).
     */
    public List<BigInteger> publicInputs(List<BigInteger> quantizedInput, BigInteger salt, BigInteger outputSalt) {
        List<BigInteger> salts = new java.util.ArrayList<>();
        for (CircuitIr.Commitment c : ir.commitments()) {
            salts.add(c.ofOutputs() ? outputSalt : salt);
        }
        return ReferenceEvaluator.publicInputs(ir, quantizedInput, evaluate(quantizedInput), salts);
    }

    /** The IR bytes (a copy). */
    public byte[] irJson() {
        return irJson.clone();
    }

    public CircuitIr ir() {
        return ir;
    }

    /** Lowercase hex SHA-256 of {@link #irJson()}. */
    public String circuitHash() {
        return circuitHash;
    }

    public QuantizationReport quantization() {
        return quantization;
    }

    public Task task() {
        return task;
    }

    public List<String> features() {
        return ir.features();
    }

    /** Labels (classification, class index order) or output element names (regression). */
    public List<String> outputs() {
        return ir.labels();
    }

    /**
     * Quantizes a real input (feature order) to the input tensor's integers:
     * {@code round(x · 2^inputScale)}, ties away from zero.
     *
     * @throws InputValidationException {@code WRONG_COUNT}, {@code NOT_FINITE}, or {@code OUT_OF_RANGE}
     *                                  (the message names the feature and its allowed range)
     */
    public List<BigInteger> quantizeInput(double[] input) throws InputValidationException {
        List<QuantizationReport.InputRange> ranges = quantization.inputs();
        if (input == null || input.length != ranges.size()) {
            throw new InputValidationException(InputValidationException.Reason.WRONG_COUNT,
                    "expected " + ranges.size() + " input values, one per feature " + features() + ", got "
                            + (input == null ? 0 : input.length));
        }
        List<BigInteger> q = new ArrayList<>(input.length);
        for (int i = 0; i < input.length; i++) {
            QuantizationReport.InputRange r = ranges.get(i);
            double v = input[i];
            if (!Double.isFinite(v)) {
                throw new InputValidationException(InputValidationException.Reason.NOT_FINITE,
                        "input " + i + " (feature \"" + r.feature() + "\") is " + v + "; inputs must be finite numbers");
            }
            if (v < r.min() || v > r.max()) {
                throw new InputValidationException(InputValidationException.Reason.OUT_OF_RANGE,
                        "input " + i + " (feature \"" + r.feature() + "\") = " + v + " is out of range: allowed ["
                                + r.min() + ", " + r.max() + "]");
            }
            q.add(Quantizer.quantize(v, quantization.inputScale()));
        }
        // Rounding is monotone, so the integers are within [lo, hi]; check anyway.
        ReferenceEvaluator.checkInput(ir, q);
        return List.copyOf(q);
    }

    /**
     * Checks an already quantized input against the circuit's input range (count and
     * {@code lo ≤ x ≤ hi}), as the circuit does.
     */
    public void checkQuantizedInput(List<BigInteger> quantizedInput) throws InputValidationException {
        ReferenceEvaluator.checkInput(ir, quantizedInput);
    }

    /**
     * The exact reference output (the values of the output tensors, flat, in output order) for a
     * quantized input (every input tensor's values, flat, in input order).
     *
     * @throws IllegalArgumentException the input has the wrong count or is out of range (see
     *                                  {@link #checkQuantizedInput} for a checked variant)
     */
    public List<BigInteger> evaluate(List<BigInteger> quantizedInput) {
        try {
            return ReferenceEvaluator.evaluate(ir, quantizedInput);
        } catch (InputValidationException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The circuit's public inputs (input then output values, as field elements) for a quantized input. */
    public List<BigInteger> publicInputs(List<BigInteger> quantizedInput) {
        return ReferenceEvaluator.publicInputs(quantizedInput, evaluate(quantizedInput));
    }

    /** The real meaning of an output: a label (classification) or values per dimension name (regression). */
    public CircuitOutput dequantize(List<BigInteger> output) {
        int size = ir.outputSize();
        if (output == null || output.size() != size) {
            throw new IllegalArgumentException("expected " + size + " output values, got " + (output == null ? 0 : output.size()));
        }
        if (task == Task.CLASSIFICATION) {
            BigInteger idx = output.getFirst();
            if (idx.signum() < 0 || idx.compareTo(BigInteger.valueOf(ir.labels().size())) >= 0) {
                throw new IllegalArgumentException("label index " + idx + " is outside [0, " + (ir.labels().size() - 1) + "]");
            }
            return new CircuitOutput(ir.labels().get(idx.intValueExact()), null);
        }
        Map<String, Double> values = new LinkedHashMap<>();
        int j = 0;
        for (IrTensor out : ir.outputTensors()) {
            for (int i = 0; i < out.size(); i++, j++) {
                values.put(ir.labels().get(j), Quantizer.dequantize(output.get(j), out.scale()));
            }
        }
        return new CircuitOutput(null, values);
    }

    /** Quantize, evaluate, dequantize: the circuit's answer for a real input. */
    public CircuitOutput predict(double[] input) throws InputValidationException {
        return dequantize(evaluate(quantizeInput(input)));
    }

    private static QuantizationReport report(CircuitIr ir, IrTensor scoreTensor) throws IrValidationException {
        List<IrTensor> xs = ir.inputTensors();
        for (IrTensor t : xs) {
            if (t.scale() != xs.getFirst().scale()) {
                throw new IrValidationException("input tensors \"" + xs.getFirst().name() + "\" and \"" + t.name()
                        + "\" have different scales (" + xs.getFirst().scale() + ", " + t.scale()
                        + "): CompiledCircuit quantizes every input at one scale");
            }
        }
        // The input values, flat: one tensor-like view of lo, hi and the common scale.
        IrTensor x = IrTensor.input(xs.getFirst().name(), List.of(ir.inputSize()), xs.getFirst().scale(),
                ir.inputLo(), ir.inputHi());
        ObjectNode q = ir.quantization();
        int weightScale = ir.ops().stream().filter(o -> o instanceof DenseOp).map(o -> ir.requireTensor(((DenseOp) o).weight()).scale())
                .findFirst().orElse(q != null && q.has("weightScale") && q.get("weightScale").canConvertToInt()
                        ? q.get("weightScale").intValue() : 0);
        List<QuantizationReport.InputRange> inputs = new ArrayList<>(x.size());
        if (q != null && q.has("inputRanges") && q.get("inputRanges").isArray() && q.get("inputRanges").size() == x.size()) {
            // Written by this compiler: the declared real ranges are exact.
            for (int i = 0; i < x.size(); i++) {
                JsonNode r = q.get("inputRanges").get(i);
                double min = parseDouble(r.get("min"), "quantization.inputRanges[" + i + "].min");
                double max = parseDouble(r.get("max"), "quantization.inputRanges[" + i + "].max");
                if (!(min <= max)) {
                    throw new IrValidationException("quantization.inputRanges[" + i + "]: min > max");
                }
                if ((!Quantizer.quantize(min, x.scale()).equals(x.lo().get(i))
                        || !Quantizer.quantize(max, x.scale()).equals(x.hi().get(i)))) {
                    throw new IrValidationException("quantization.inputRanges[" + i + "] does not quantize to the input bounds of \""
                            + x.name() + "\"");
                }
                inputs.add(new QuantizationReport.InputRange(ir.features().get(i), min, max, x.lo().get(i), x.hi().get(i)));
            }
            return new QuantizationReport(x.scale(), weightScale, scoreTensor.scale(),
                    text(q, "rounding", Quantizer.ROUNDING), text(q, "rangeSource", "ir"), inputs,
                    q.has("errorBound") ? parseDouble(q.get("errorBound"), "quantization.errorBound") : null,
                    trees(q), network(q));
        }
        for (int i = 0; i < x.size(); i++) {
            inputs.add(new QuantizationReport.InputRange(ir.features().get(i),
                    Quantizer.dequantize(x.lo().get(i), x.scale()), Quantizer.dequantize(x.hi().get(i), x.scale()),
                    x.lo().get(i), x.hi().get(i)));
        }
        return new QuantizationReport(x.scale(), weightScale, scoreTensor.scale(), "unknown", "ir", inputs, null);
    }

    /** The tree section of the compiler's metadata ({@code thresholds} present), or null. */
    private static QuantizationReport.Trees trees(ObjectNode q) {
        if (!q.has("thresholds") || !q.get("thresholds").canConvertToInt()) {
            return null;
        }
        JsonNode near = q.get("samplesNearSplit");
        boolean hasNear = near != null && near.isObject() && near.path("samples").canConvertToInt()
                && near.path("withinOneStep").canConvertToInt();
        return new QuantizationReport.Trees(q.path("leafScale").asInt(0), q.get("thresholds").intValue(),
                text(q, "thresholdRounding", "floor"), text(q, "combiner", "unknown"),
                hasNear ? near.get("samples").intValue() : null, hasNear ? near.get("withinOneStep").intValue() : null);
    }

    /** The network section of the compiler's metadata ({@code network} present), or null. */
    private static QuantizationReport.Network network(ObjectNode q) {
        JsonNode n = q.get("network");
        if (n == null || !n.isObject()) {
            return null;
        }
        List<QuantizationReport.NetworkLayer> layers = new ArrayList<>();
        for (JsonNode l : n.path("layers")) {
            layers.add(new QuantizationReport.NetworkLayer(l.path("name").asString(""), l.path("inputs").asInt(0),
                    l.path("outputs").asInt(0), l.path("relu").asBoolean(false), l.path("weightScale").asInt(0),
                    l.path("outputScale").asInt(0), l.path("shift").asInt(0), l.path("constraints").asLong(0)));
        }
        JsonNode c = n.path("calibration");
        List<QuantizationReport.Candidate> candidates = new ArrayList<>();
        for (JsonNode k : c.path("candidates")) {
            candidates.add(new QuantizationReport.Candidate(
                    k.has("activationBits") ? k.get("activationBits").asInt() : null,
                    k.has("weightBits") ? k.get("weightBits").asInt() : null,
                    k.path("inputScale").asInt(0), ints(k.path("weightScales")), ints(k.path("outputScales")),
                    k.has("constraints") ? k.get("constraints").asLong() : null, decimal(k, "errorBound"),
                    decimal(k, "labelAgreement"), decimal(k, "maxError"), k.path("chosen").asBoolean(false),
                    k.path("why").asString("")));
        }
        Double tol = decimal(c, "tolerance");
        return new QuantizationReport.Network(layers, n.path("inputConstraints").asLong(0), n.path("constraints").asLong(0),
                new QuantizationReport.Calibration(c.path("target").asString("accuracy"), tol == null ? 0 : tol,
                        c.path("samples").asInt(0), c.path("targetMet").asBoolean(false), c.path("reason").asString(""),
                        candidates));
    }

    private static List<Integer> ints(JsonNode a) {
        List<Integer> out = new ArrayList<>();
        for (JsonNode v : a) {
            out.add(v.asInt());
        }
        return out;
    }

    private static Double decimal(JsonNode o, String key) {
        JsonNode v = o.get(key);
        if (v == null || !v.isString()) {
            return null;
        }
        try {
            return Double.parseDouble(v.stringValue());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String text(ObjectNode q, String key, String dflt) {
        JsonNode n = q.get(key);
        return n != null && n.isString() ? n.stringValue() : dflt;
    }

    private static double parseDouble(JsonNode n, String where) throws IrValidationException {
        if (n == null || !n.isString()) {
            throw new IrValidationException(where + " must be a decimal string");
        }
        try {
            double d = Double.parseDouble(n.stringValue());
            if (!Double.isFinite(d)) {
                throw new IrValidationException(where + " must be finite");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IrValidationException(where + " is not a number: \"" + n.stringValue() + "\"");
        }
    }
}
