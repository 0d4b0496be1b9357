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
    /**
     * The values of the hashed constants (issue 8: private weights, by tensor name), which the IR
     * does not hold; null for a circuit without hashed weights, or one read without them.
     */
    private final Map<String, List<BigInteger>> weights;

    private CompiledCircuit(byte[] irJson, CircuitIr ir) throws IrValidationException {
        this(irJson, ir, null);
    }

    private CompiledCircuit(byte[] irJson, CircuitIr ir, Map<String, List<BigInteger>> weights) throws IrValidationException {
        this.irJson = irJson;
        this.ir = ir;
        if (weights != null) {
            try {
                ReferenceEvaluator.checkWeights(ir, weights);
            } catch (IllegalArgumentException e) {
                throw new IrValidationException(e.getMessage());
            }
            Map<String, List<BigInteger>> copy = new LinkedHashMap<>();
            for (IrTensor t : ir.hashedConstants()) {
                copy.put(t.name(), List.copyOf(weights.get(t.name())));
            }
            weights = java.util.Collections.unmodifiableMap(copy);
        }
        this.weights = weights;
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
     * Reads stored IR bytes with hashed constants together with their values (issue 8: the private
     * weights the service holds, by tensor name; {@link HashedWeights#read}).
     *
     * @throws IrValidationException the bytes are not a valid IR, or the weights do not fit its
     *                               hashed constants (names, counts, declared ranges)
     */
    public static CompiledCircuit fromIr(byte[] irJson, Map<String, List<BigInteger>> weights) throws IrValidationException {
        byte[] copy = irJson == null ? null : irJson.clone();
        return new CompiledCircuit(copy, IrReader.read(copy), weights);
    }

    /** The default declared width of a hashed weight (signed): {@code [−2^(b−1), 2^(b−1) − 1]}. */
    public static final int DEFAULT_HASHED_WEIGHT_BITS = CircuitCompiler.DEFAULT_WEIGHT_BITS + 2;
    /** The default declared width of a hashed bias (signed, at the accumulator scale). */
    public static final int DEFAULT_HASHED_BIAS_BITS = 64;
    /** The name of the commitment to the hashed weights. */
    public static final String WEIGHTS_COMMITMENT = "weights_commitment";

    /**
     * This circuit with hashed weights (issue 8, docs/visibility.md "Hashed weights"): every
     * {@code dense} op's weight and bias become hashed constants with the declared signed widths
     * ({@code weightBits}, {@code biasBits}: the range {@code [−2^(b−1), 2^(b−1) − 1]} per element),
     * the IR holds no weight value, every op's bounds are recomputed from the declared ranges (the
     * product of two intervals), and a commitment (domain {@value CircuitIr.Commitment#WEIGHTS_DOMAIN})
     * to the weights is added after the input and output ones. The weights travel beside the IR
     * ({@link #weights()}). Weight-dependent metadata is dropped ({@code source}, the error bound, a
     * network's calibration), so the IR — and the constraint system — depend on the architecture,
     * the scales, the input ranges and the declared widths only.
     *
     * @throws CompilationException the circuit has ops that read constants other than dense's
     *                              (trees: only linear models and networks are supported), is already
     *                              hashed, or a weight does not fit its declared width
     */
    public CompiledCircuit withHashedWeights(int weightBits, int biasBits) throws CompilationException {
        if (weightBits < 1 || weightBits > 200 || biasBits < 1 || biasBits > 240) {
            throw new CompilationException("declared widths out of range: weightBits " + weightBits + " (1..200), biasBits "
                    + biasBits + " (1..240)");
        }
        if (ir.hasHashedWeights()) {
            throw new CompilationException("the weights are already hashed");
        }
        java.util.Set<String> weightNames = new java.util.LinkedHashSet<>();
        java.util.Set<String> biasNames = new java.util.LinkedHashSet<>();
        for (IrOp op : ir.ops()) {
            if (op instanceof DenseOp d) {
                weightNames.add(d.weight());
                biasNames.add(d.bias());
            }
        }
        for (IrOp op : ir.ops()) {
            if (!(op instanceof DenseOp)) {
                for (String n : op.inputs()) {
                    if (ir.requireTensor(n).isConstant()) {
                        throw new CompilationException("hashed weights are supported for linear models and networks (dense layers:"
                                + " Tribuo linear models, ONNX Gemm/MatMul/LinearClassifier/LinearRegressor networks), not for this"
                                + " circuit: its " + op.op() + " op reads the constant \"" + n + "\" (tree ensembles keep fixed weights)");
                    }
                }
            }
        }
        if (weightNames.isEmpty()) {
            throw new CompilationException("the circuit has no dense layer, so it has no weights to hash");
        }
        Map<String, List<BigInteger>> values = new LinkedHashMap<>();
        List<IrTensor> tensors = new ArrayList<>();
        for (IrTensor t : ir.tensors()) {
            boolean w = weightNames.contains(t.name());
            if (!w && !biasNames.contains(t.name())) {
                tensors.add(t);
                continue;
            }
            int bits = w ? weightBits : biasBits;
            BigInteger lo = BigInteger.ONE.shiftLeft(bits - 1).negate();
            BigInteger hi = BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE);
            for (int i = 0; i < t.size(); i++) {
                BigInteger v = t.values().get(i);
                if (v.compareTo(lo) < 0 || v.compareTo(hi) > 0) {
                    throw new CompilationException("the " + (w ? "weight" : "bias") + " " + t.name() + "[" + i + "] quantizes to " + v
                            + ", outside its declared " + bits + "-bit range [" + lo + ", " + hi + "]; use a smaller weightScale"
                            + " (or inputScale, for a bias)");
                }
            }
            values.put(t.name(), t.values());
            tensors.add(IrTensor.hashedConstant(t.name(), t.shape(), t.scale(),
                    java.util.Collections.nCopies(t.size(), lo), java.util.Collections.nCopies(t.size(), hi)));
        }
        List<CircuitIr.Commitment> commitments = new ArrayList<>(ir.commitments());
        commitments.add(new CircuitIr.Commitment(WEIGHTS_COMMITMENT, CircuitIr.Commitment.WEIGHTS_DOMAIN,
                tensors.stream().filter(IrTensor::isHashedConstant).map(IrTensor::name).toList()));
        ObjectNode q = ir.quantization();
        if (q != null) {
            q.remove("errorBound");
            q.remove("network");
            ObjectNode hw = q.putObject("hashedWeights");
            hw.put("weightBits", weightBits);
            hw.put("biasBits", biasBits);
        }
        CircuitIr declared = new CircuitIr(ir.format(), ir.version(), ir.field(), ir.name(), ir.task(), ir.producer(),
                null, q, ir.features(), ir.labels(), tensors, ir.inputs(), ir.ops(), ir.outputs(), commitments);
        try {
            // The bounds of every op from the declared ranges (the old ones came from the values).
            Map<String, io.zkml.compiler.ir.IntervalAnalysis.Bounds> bounds = io.zkml.compiler.ir.IntervalAnalysis.analyse(declared);
            List<IrTensor> rebounded = new ArrayList<>();
            for (IrTensor t : tensors) {
                if (t.role() == Role.INTERMEDIATE || t.role() == Role.OUTPUT) {
                    io.zkml.compiler.ir.IntervalAnalysis.Bounds b = bounds.get(t.name());
                    for (int i = 0; i < t.size(); i++) {
                        if (!io.zkml.compiler.ir.IntervalAnalysis.withinFieldLimit(b.lo().get(i))
                                || !io.zkml.compiler.ir.IntervalAnalysis.withinFieldLimit(b.hi().get(i))) {
                            throw new CompilationException("overflow: with the declared weight widths the bounds of \"" + t.name()
                                    + "\" exceed 2^" + CircuitIr.MAX_BOUND_BITS + "; declare narrower widths");
                        }
                    }
                    rebounded.add(new IrTensor(t.name(), t.role(), t.visibility(), t.shape(), t.scale(), b.lo(), b.hi(), null));
                } else {
                    rebounded.add(t);
                }
            }
            CircuitIr changed = new CircuitIr(ir.format(), ir.version(), ir.field(), ir.name(), ir.task(), ir.producer(),
                    null, q, ir.features(), ir.labels(), rebounded, ir.inputs(), ir.ops(), ir.outputs(), commitments);
            byte[] bytes = IrWriter.write(changed);
            if (rangeCheckLookup()) {
                bytes = withLookupKey(bytes);
            }
            return new CompiledCircuit(bytes, IrReader.read(bytes), values);
        } catch (IrValidationException e) {
            throw new CompilationException("hashed weights: " + e.getMessage(), e);
        }
    }

    /** Whether the weights are hashed (private witness with a public commitment; issue 8). */
    public boolean hashedWeights() {
        return ir.hasHashedWeights();
    }

    /**
     * The private weights (the hashed constants' values by tensor name, tensor order), or null for a
     * circuit without hashed weights or read without them.
     */
    public Map<String, List<BigInteger>> weights() {
        return weights;
    }

    /**
     * The commitment to the hashed weights under {@code weightsSalt} (docs/commitments.md, domain
     * {@value CircuitIr.Commitment#WEIGHTS_DOMAIN}), the {@code weightsCommitment} public input of
     * every proof; empty without hashed weights.
     *
     * @throws IllegalStateException the circuit has hashed weights but was read without their values
     */
    public Optional<BigInteger> weightsCommitment(BigInteger weightsSalt) {
        if (!ir.hasHashedWeights()) {
            return Optional.empty();
        }
        requireWeights();
        CircuitIr.Commitment c = ir.commitments().stream().filter(CircuitIr.Commitment::ofWeights).findFirst().orElseThrow();
        CircuitIr only = new CircuitIr(ir.format(), ir.version(), ir.field(), ir.name(), ir.task(), ir.producer(),
                ir.source(), ir.quantization(), ir.features(), ir.labels(), ir.tensors(), ir.inputs(), ir.ops(), ir.outputs(),
                List.of(c));
        return Optional.of(ReferenceEvaluator.commitments(only, null, null, weights, List.of(weightsSalt)).getFirst());
    }

    /** The index of the weights commitment among the public inputs (after the public input values and the other commitments), or −1. */
    public int weightsCommitmentIndex() {
        for (int k = 0; k < ir.commitments().size(); k++) {
            if (ir.commitments().get(k).ofWeights()) {
                return ir.publicInputSize() + k;
            }
        }
        return -1;
    }

    private void requireWeights() {
        if (ir.hasHashedWeights() && weights == null) {
            throw new IllegalStateException("circuit " + circuitHash + " has hashed weights: read it with fromIr(ir, weights)");
        }
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
        if (ir.hasHashedWeights()) {
            throw new IllegalStateException("set the input and output visibility before hashing the weights");
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
        byte[] bytes = withLookupKey(irJson);
        return new CompiledCircuit(bytes, IrReader.read(bytes), weights);
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
        if (ir.commitments().isEmpty() || !ir.commitments().getFirst().ofInputs()) {
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
        CircuitIr.Commitment c = ir.commitments().stream().filter(CircuitIr.Commitment::ofOutputs).findFirst().orElseThrow();
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
        return publicInputs(quantizedInput, salt, outputSalt, null);
    }

    /**
     * The circuit's public inputs with the salts of the input, output and weights commitments (each
     * ignored when the circuit has no such commitment); the weights are this circuit's.
     */
    public List<BigInteger> publicInputs(List<BigInteger> quantizedInput, BigInteger salt, BigInteger outputSalt,
                                         BigInteger weightsSalt) {
        List<BigInteger> salts = new java.util.ArrayList<>();
        for (CircuitIr.Commitment c : ir.commitments()) {
            salts.add(c.ofOutputs() ? outputSalt : c.ofWeights() ? weightsSalt : salt);
        }
        requireWeights();
        return ReferenceEvaluator.publicInputs(ir, quantizedInput, evaluate(quantizedInput), weights, salts);
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
        requireWeights();
        try {
            return ReferenceEvaluator.evaluate(ir, quantizedInput, weights);
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
