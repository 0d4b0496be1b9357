package io.zkml.compiler;

import io.zkml.compiler.ir.CircuitIr;
import io.zkml.compiler.ir.IntervalAnalysis;
import io.zkml.compiler.ir.IrGraph;
import io.zkml.compiler.ir.IrTensor;
import io.zkml.compiler.ir.IrValidationException;
import io.zkml.compiler.ir.IrWriter;
import io.zkml.compiler.ir.ops.ArgmaxOp;
import io.zkml.compiler.ir.ops.DenseOp;
import io.zkml.compiler.ir.ops.RescaleOp;
import io.zkml.compiler.model.LinearStructure;
import io.zkml.compiler.model.NetworkStructure;
import io.zkml.compiler.model.TreeEnsembleStructure;
import io.zkml.compiler.model.ImportedModel;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Quantizes an imported linear model to fixed point and lowers it to IR version 2
 * (docs/quantization.md explains every choice). Tensors: {@code x} (input, public, {@code [n]}),
 * the constants {@code weight} ({@code [m, n]}, at the weight scale) and {@code bias}
 * ({@code [m]}, at the accumulator scale), then:
 *
 * <ul>
 *   <li>Regression: {@code dense(x, weight, bias) → acc → rescale(weightScale) → y} (output), y at
 *       the input scale; {@code 2^(weightScale−1)} is added to every bias so that the floor of the
 *       rescale rounds to nearest. With weight scale 0 the dense op writes {@code y} directly.</li>
 *   <li>Classification: {@code dense(x, weight, bias) → acc → argmax → label} (output); the argmax
 *       reads the exact accumulator (no rescale, no precision lost before the comparison).</li>
 * </ul>
 * The same model, settings and compiler version always give the same IR bytes.
 */
public final class CircuitCompiler {

    /** Version of the compiler: part of every IR it writes ({@code producer.version}). */
    public static final String VERSION = "0.2.0";
    /** Name of the compiler in {@code producer.name}. */
    public static final String PRODUCER = "zkml-circuit-compiler";

    /** Default: the largest |input| quantizes to at most 2^20 (input range checks of ≤ 22 bits). */
    public static final int DEFAULT_INPUT_BITS = 20;
    /**
     * Default: the largest |weight| quantizes to at most 2^20. Weights are circuit constants, so
     * precision here costs no constraints in the dense layer, only a few bits in the rescale and argmax.
     */
    public static final int DEFAULT_WEIGHT_BITS = 20;
    /** Automatic input scales are clamped to [0, 32]; a user may ask for [0, 64]. */
    public static final int MAX_AUTO_INPUT_SCALE = 32;
    public static final int MAX_INPUT_SCALE = 64;
    /** Automatic weight scales are clamped to [0, 64]; a user may ask for [0, 128] (the IR's max shift). */
    public static final int MAX_AUTO_WEIGHT_SCALE = 64;
    public static final int MAX_WEIGHT_SCALE = RescaleOp.MAX_SHIFT;
    /** Ranges observed on samples or in training are widened by this fraction of their width on each side. */
    public static final double RANGE_MARGIN = 0.10;

    private CircuitCompiler() {
    }

    public static String version() {
        return VERSION;
    }

    /**
     * Compiles a model.
     *
     * @param model        the imported model
     * @param name         the human name of the circuit (recorded in the IR)
     * @param sourceSha256 lowercase hex SHA-256 of the uploaded model bytes, recorded in the IR
     *                     {@code source}; null leaves {@code source} out
     * @param settings     quantization settings (null = {@link QuantizationSettings#defaults()})
     * @throws CompilationException bad settings (scales, ranges), non-finite weights, or overflow
     */
    public static CompiledCircuit compile(ImportedModel model, String name, String sourceSha256,
                                          QuantizationSettings settings) throws CompilationException {
        return compile(model, name, sourceSha256, settings, false, null);
    }

    /**
     * Compiles a model, optionally as a classifier over its scores.
     *
     * @param argmax whether the circuit ends in an argmax over the model's scores even if the model
     *               itself ends in a score vector (networks only: {@code "output": "argmax"}); a
     *               classifier ends in one anyway
     * @param labels the class labels of that argmax, in score order, or null for the model's own
     *               output names (networks only)
     * @throws CompilationException as {@link #compile(ImportedModel, String, String, QuantizationSettings)},
     *                              or {@code argmax}/{@code labels} for a model that is not a network
     */
    public static CompiledCircuit compile(ImportedModel model, String name, String sourceSha256,
                                          QuantizationSettings settings, boolean argmax, List<String> labels)
            throws CompilationException {
        if ((argmax || labels != null) && !(model.structure() instanceof NetworkStructure)
                && !(model.structure() instanceof io.zkml.compiler.model.ConvNetStructure)) {
            throw new CompilationException("\"output\": \"argmax\" and labels apply to networks (family mlp), not to the "
                    + model.family().apiName() + " family");
        }
        if (settings == null) {
            settings = QuantizationSettings.defaults();
        }
        if (name == null || name.isBlank()) {
            throw new CompilationException("the circuit needs a name");
        }
        List<String> features = model.features();
        List<String> outputs = model.outputs();
        int nIn = features.size();
        int nOut = outputs.size();
        if (nIn == 0 || nOut == 0) {
            throw new CompilationException("the model has " + nIn + " features and " + nOut + " outputs; both must be at least 1");
        }
        if (model.structure() instanceof NetworkStructure net) {
            return NetworkCompiler.compile(model, net, name, sourceSha256, settings, argmax, labels);
        }
        if (model.structure() instanceof io.zkml.compiler.model.ConvNetStructure cnn) {
            return ConvNetCompiler.compile(model, cnn, name, sourceSha256, settings, argmax, labels);
        }
        if (model.structure() instanceof TreeEnsembleStructure trees) {
            return TreeCompiler.compile(model, trees, name, sourceSha256, settings);
        }
        if (!(model.structure() instanceof LinearStructure)) {
            throw new CompilationException("models of the " + model.family().apiName() + " family cannot be compiled");
        }
        double[][] w = model.weights();
        double[] b = model.biases();
        checkFinite(w, b, features, outputs);

        RangeChoice ranges = chooseRanges(model, settings);
        int inputScale = chooseInputScale(settings.inputScale(), ranges.ranges());
        int weightScale = chooseWeightScale(settings.weightScale(), w);
        Task task = model.task();

        // Quantize.
        List<BigInteger> lo = new ArrayList<>(nIn);
        List<BigInteger> hi = new ArrayList<>(nIn);
        for (FeatureRange r : ranges.ranges()) {
            lo.add(Quantizer.quantize(r.min(), inputScale));
            hi.add(Quantizer.quantize(r.max(), inputScale));
        }
        List<List<BigInteger>> qw = new ArrayList<>(nOut);
        List<BigInteger> qb = new ArrayList<>(nOut);
        int accScale = inputScale + weightScale;
        BigInteger half = task == Task.REGRESSION && weightScale > 0
                ? BigInteger.ONE.shiftLeft(weightScale - 1) : BigInteger.ZERO;
        for (int j = 0; j < nOut; j++) {
            List<BigInteger> row = new ArrayList<>(nIn);
            for (int i = 0; i < nIn; i++) {
                row.add(Quantizer.quantize(w[j][i], weightScale));
            }
            qw.add(row);
            qb.add(Quantizer.quantize(b[j], accScale).add(half));
        }
        checkConstants(qw, qb, features, outputs);

        // Lower.
        IrGraph g = new IrGraph();
        IrTensor x = g.input("x", List.of(nIn), inputScale, lo, hi);
        checkBounds(x, "input range");
        List<BigInteger> flatWeights = new ArrayList<>(nOut * nIn);
        qw.forEach(flatWeights::addAll);
        g.constant("weight", List.of(nOut, nIn), weightScale, flatWeights);
        g.constant("bias", List.of(nOut), accScale, qb);
        int outputScale;
        try {
            if (task == Task.REGRESSION) {
                if (weightScale > 0) {
                    checkBounds(g.intermediate(new DenseOp("x", "weight", "bias", "acc")), "dense accumulator");
                    checkBounds(g.output(new RescaleOp("acc", "y", weightScale)), "output");
                } else {
                    checkBounds(g.output(new DenseOp("x", "weight", "bias", "y")), "dense accumulator");
                }
                outputScale = inputScale;
            } else {
                checkBounds(g.intermediate(new DenseOp("x", "weight", "bias", "acc")), "dense accumulator");
                g.output(new ArgmaxOp("acc", "label"));
                outputScale = accScale;
            }
        } catch (IrValidationException e) {
            throw new IllegalStateException("the compiler built an op its own checks reject: " + e.getMessage(), e);
        }

        double errorBound = errorBound(w, ranges.ranges(), inputScale, weightScale, task);
        ObjectNode quant = quantizationMetadata(inputScale, weightScale, outputScale, ranges, features, errorBound);
        CircuitIr ir = g.build(name, task.irName(), new CircuitIr.Producer(PRODUCER, VERSION),
                sourceSha256 == null ? null : new CircuitIr.Source(model.format(), sourceSha256, model.modelClass()),
                quant, features, outputs);
        byte[] bytes = IrWriter.write(ir);
        try {
            return CompiledCircuit.fromIr(bytes);
        } catch (IrValidationException e) {
            // The compiler's own output must pass the reader: a failure here is a compiler bug.
            throw new IllegalStateException("compiled IR failed validation: " + e.getMessage(), e);
        }
    }

    record RangeChoice(List<FeatureRange> ranges, String source) {
    }

    static RangeChoice chooseRanges(ImportedModel model, QuantizationSettings s) throws CompilationException {
        int n = model.features().size();
        // Checked whether or not they choose the ranges: a tree's samplesNearSplit counts them too.
        if (s.sampleInputs() != null) {
            for (int k = 0; k < s.sampleInputs().size(); k++) {
                double[] row = s.sampleInputs().get(k);
                if (row == null || row.length != n) {
                    throw new CompilationException("sampleInputs[" + k + "] has " + (row == null ? 0 : row.length)
                            + " values; the model has " + n + " features");
                }
                for (int i = 0; i < n; i++) {
                    if (!Double.isFinite(row[i])) {
                        throw new CompilationException("sampleInputs[" + k + "][" + i + "] is not finite: " + row[i]);
                    }
                }
            }
        }
        if (s.inputRanges() != null) {
            if (s.inputRanges().size() != n) {
                throw new CompilationException("inputRanges has " + s.inputRanges().size() + " entries; the model has "
                        + n + " features " + model.features());
            }
            for (int i = 0; i < n; i++) {
                if (s.inputRanges().get(i) == null) {
                    throw new CompilationException("inputRanges[" + i + "] (feature \"" + model.features().get(i) + "\") is missing");
                }
            }
            return new RangeChoice(s.inputRanges(), "declared");
        }
        if (s.sampleInputs() != null && !s.sampleInputs().isEmpty()) {
            double[] min = new double[n];
            double[] max = new double[n];
            java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
            java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
            for (double[] row : s.sampleInputs()) {
                for (int i = 0; i < n; i++) {
                    min[i] = Math.min(min[i], row[i]);
                    max[i] = Math.max(max[i], row[i]);
                }
            }
            List<FeatureRange> r = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                r.add(widen(min[i], max[i]));
            }
            return new RangeChoice(r, "samples");
        }
        List<FeatureRange> training = model.trainingRanges();
        if (training == null || training.size() != n) {
            throw new CompilationException("no input ranges: declare inputRanges or give sampleInputs");
        }
        List<FeatureRange> r = new ArrayList<>(n);
        for (FeatureRange t : training) {
            r.add(widen(t.min(), t.max()));
        }
        return new RangeChoice(r, "training");
    }

    /** {@code [min − m, max + m]} with {@code m = 10%} of the width (or of |value|, at least 1, for a point). */
    static FeatureRange widen(double min, double max) {
        double m = max > min ? RANGE_MARGIN * (max - min) : Math.max(RANGE_MARGIN * Math.abs(max), 1.0);
        return new FeatureRange(min - m, max + m);
    }

    static int chooseInputScale(Integer requested, List<FeatureRange> ranges) throws CompilationException {
        if (requested != null) {
            if (requested < 0 || requested > MAX_INPUT_SCALE) {
                throw new CompilationException("inputScale must be in [0, " + MAX_INPUT_SCALE + "] bits, got " + requested);
            }
            return requested;
        }
        double maxAbs = 0;
        for (FeatureRange r : ranges) {
            maxAbs = Math.max(maxAbs, Math.max(Math.abs(r.min()), Math.abs(r.max())));
        }
        return clamp(DEFAULT_INPUT_BITS - Quantizer.ceilLog2(maxAbs), MAX_AUTO_INPUT_SCALE);
    }

    private static int chooseWeightScale(Integer requested, double[][] w) throws CompilationException {
        if (requested != null) {
            if (requested < 0 || requested > MAX_WEIGHT_SCALE) {
                throw new CompilationException("weightScale must be in [0, " + MAX_WEIGHT_SCALE + "] bits, got " + requested);
            }
            return requested;
        }
        double maxAbs = 0;
        for (double[] row : w) {
            for (double v : row) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
        }
        return clamp(DEFAULT_WEIGHT_BITS - Quantizer.ceilLog2(maxAbs), MAX_AUTO_WEIGHT_SCALE);
    }

    private static int clamp(int v, int max) {
        return Math.max(0, Math.min(max, v));
    }

    private static void checkFinite(double[][] w, double[] b, List<String> features, List<String> outputs) throws CompilationException {
        for (int j = 0; j < w.length; j++) {
            if (w[j].length != features.size()) {
                throw new CompilationException("weight row " + j + " has " + w[j].length + " entries, expected " + features.size());
            }
            for (int i = 0; i < w[j].length; i++) {
                if (!Double.isFinite(w[j][i])) {
                    throw new CompilationException("weight of output \"" + outputs.get(j) + "\", feature \"" + features.get(i)
                            + "\" is not finite: " + w[j][i]);
                }
            }
            if (!Double.isFinite(b[j])) {
                throw new CompilationException("bias of output \"" + outputs.get(j) + "\" is not finite: " + b[j]);
            }
        }
    }

    static void checkBounds(IrTensor t, String what) throws CompilationException {
        for (int i = 0; i < t.size(); i++) {
            if (!IntervalAnalysis.withinFieldLimit(t.lo().get(i)) || !IntervalAnalysis.withinFieldLimit(t.hi().get(i))) {
                throw overflow("the " + what + " (tensor \"" + t.name() + "\", element " + i + ")",
                        Math.max(t.lo().get(i).bitLength(), t.hi().get(i).bitLength()));
            }
        }
    }

    /** Weights and biases are field constants: like every integer of the IR they need |v| < 2^248. */
    private static void checkConstants(List<List<BigInteger>> qw, List<BigInteger> qb, List<String> features,
                                       List<String> outputs) throws CompilationException {
        for (int j = 0; j < qw.size(); j++) {
            for (int i = 0; i < qw.get(j).size(); i++) {
                if (!IntervalAnalysis.withinFieldLimit(qw.get(j).get(i))) {
                    throw overflow("the weight of output \"" + outputs.get(j) + "\", feature \"" + features.get(i) + "\"",
                            qw.get(j).get(i).bitLength());
                }
            }
            if (!IntervalAnalysis.withinFieldLimit(qb.get(j))) {
                throw overflow("the bias of output \"" + outputs.get(j) + "\"", qb.get(j).bitLength());
            }
        }
    }

    private static CompilationException overflow(String what, int bits) {
        return new CompilationException("overflow: " + what + " needs " + bits + " bits, the field allows |value| < 2^"
                + CircuitIr.MAX_BOUND_BITS + "; use smaller scales or narrower input ranges");
    }

    /**
     * A bound on |circuit − float| of every output (regression) or score (classification), in real
     * units, for any input in the ranges: input rounding, weight rounding, their product, bias
     * rounding and (regression) the final rescale. See docs/quantization.md.
     */
    static double errorBound(double[][] w, List<FeatureRange> ranges, int inputScale, int weightScale, Task task) {
        double dx = Math.scalb(1.0, -(inputScale + 1));
        double dw = Math.scalb(1.0, -(weightScale + 1));
        double db = Math.scalb(1.0, -(inputScale + weightScale + 1));
        double dy = task == Task.REGRESSION && weightScale > 0 ? Math.scalb(1.0, -(inputScale + 1)) : 0;
        double worst = 0;
        for (double[] row : w) {
            double e = db + dy;
            for (int i = 0; i < row.length; i++) {
                FeatureRange r = ranges.get(i);
                double xMax = Math.max(Math.abs(r.min()), Math.abs(r.max()));
                e += Math.abs(row[i]) * dx + xMax * dw + dx * dw;
            }
            worst = Math.max(worst, e);
        }
        return worst;
    }

    private static ObjectNode quantizationMetadata(int inputScale, int weightScale, int outputScale, RangeChoice ranges,
                                                   List<String> features, double errorBound) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode q = f.objectNode();
        q.put("rounding", Quantizer.ROUNDING);
        q.put("inputScale", inputScale);
        q.put("weightScale", weightScale);
        q.put("outputScale", outputScale);
        q.put("rangeSource", ranges.source());
        putInputRanges(q, ranges, features);
        q.put("errorBound", Double.toString(errorBound));
        return q;
    }

    /** {@code "inputRanges": [{"feature", "min", "max"}, …]}: the real ranges, as shortest decimal strings. */
    static void putInputRanges(ObjectNode q, RangeChoice ranges, List<String> features) {
        ArrayNode rs = q.putArray("inputRanges");
        for (int i = 0; i < features.size(); i++) {
            ObjectNode r = rs.addObject();
            r.put("feature", features.get(i));
            r.put("min", Double.toString(ranges.ranges().get(i).min()));
            r.put("max", Double.toString(ranges.ranges().get(i).max()));
        }
    }
}
