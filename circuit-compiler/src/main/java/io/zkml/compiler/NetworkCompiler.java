package io.zkml.compiler;

import io.zkml.compiler.ir.CircuitIr;
import io.zkml.compiler.ir.IrGraph;
import io.zkml.compiler.ir.IrOp;
import io.zkml.compiler.ir.IrTensor;
import io.zkml.compiler.ir.IrValidationException;
import io.zkml.compiler.ir.IrWriter;
import io.zkml.compiler.ir.ReferenceEvaluator;
import io.zkml.compiler.ir.ops.ArgmaxOp;
import io.zkml.compiler.ir.ops.DenseOp;
import io.zkml.compiler.ir.ops.ReluOp;
import io.zkml.compiler.ir.ops.RescaleOp;
import io.zkml.compiler.model.ImportedModel;
import io.zkml.compiler.model.NetworkStructure;
import io.zkml.compiler.model.NetworkStructure.Layer;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Quantizes a feed-forward network ({@link NetworkStructure}: dense layers with ReLUs between them,
 * an optional final argmax) to fixed point, calibrates its scales on sample inputs and lowers it to
 * IR version 2 (docs/onnx-models.md, "Calibration"):
 * <pre>
 *   x ─ dense(w0, b0) ─ acc0 ─ rescale ─ z0 ─ relu ─ h0 ─ dense(w1, b1) ─ … ─ dense(wL, bL) ─ scores ─ argmax ─ label
 *                                                                                            (regression: ─ rescale ─ y)
 * </pre>
 * The weights are circuit constants, so a dense layer costs no constraint; only the rescales
 * (round to nearest: {@code 2^(shift−1)} is added to the bias), the ReLUs, the argmax and the input
 * range checks cost. Every layer has its own weight scale (its largest |weight| at about
 * {@code 2^B_w}) and its own activation scale (the largest |pre-activation| seen on the samples at
 * about {@code 2^B_a}; without samples, the input scale). The bounds of every tensor, and so every
 * range check's width, come from the exact interval analysis of the IR, never from the samples: a
 * sample only chooses a scale.
 *
 * <p>Calibration: with {@code sampleInputs}, every {@code (B_a, B_w)} of {@link #GRID_BITS}² is built,
 * its constraints counted (the formulas of docs/ir-format.md), its fixed-point graph evaluated on
 * every sample (exactly, as the circuit does) and compared with the float network; the candidate
 * that meets {@link QuantizationSettings#target()} most cheaply is chosen, and the report lists
 * every candidate with the reason it was or was not chosen.
 */
final class NetworkCompiler {

    /** The bit budgets tried for the activations (B_a) and the weights (B_w). */
    static final int[] GRID_BITS = {6, 8, 10, 12, 16};
    /** The budget without samples (nothing to calibrate on). */
    static final int DEFAULT_BITS = 16;
    /** Activation scales are clamped to [0, 32] like automatic input scales. */
    static final int MAX_ACTIVATION_SCALE = CircuitCompiler.MAX_AUTO_INPUT_SCALE;
    /** Resources target, classification: the default largest fraction of sample labels that may differ. */
    static final double DEFAULT_LABEL_TOLERANCE = 0.01;
    /** Resources target, regression: the default tolerance, as a fraction of the float outputs' spread on the samples. */
    static final double DEFAULT_RELATIVE_TOLERANCE = 0.01;
    /** A dense sum of this many terms or more costs one constraint per output (gnark's CompressThreshold). */
    static final int COMPRESS_THRESHOLD = 300;

    private NetworkCompiler() {
    }

    /** The scales of one candidate. {@code activationScales[l]}: the scale of layer l's output (the last: regression only). */
    record Scales(Integer activationBits, Integer weightBits, int inputScale, int[] weightScales, int[] activationScales) {
        String key() {
            return inputScale + "/" + Arrays.toString(weightScales) + "/" + Arrays.toString(activationScales);
        }
    }

    /** A built candidate: its graph, or the overflow that stopped it. */
    record Built(Scales scales, IrGraph graph, String overflow, long constraints, Map<String, Long> constraintsByLayer,
                 double errorBound) {
    }

    /** A candidate's result on the samples. */
    record Tried(Built built, Double labelAgreement, Double maxError) {
    }

    static CompiledCircuit compile(ImportedModel model, NetworkStructure net, String name, String sourceSha256,
                                   QuantizationSettings settings, boolean argmax, List<String> labels)
            throws CompilationException {
        List<String> features = model.features();
        Task task = argmax || net.argmax() ? Task.CLASSIFICATION : Task.REGRESSION;
        List<String> outputs = labels != null ? labels : model.outputs();
        if (net.inputs() != features.size()) {
            throw new CompilationException("the network reads " + net.inputs() + " values; the model names " + features.size() + " features");
        }
        if (net.outputs() != outputs.size()) {
            throw new CompilationException("the network writes " + net.outputs() + " scores; "
                    + (labels != null ? "labels names " : "the model names ") + outputs.size() + " outputs");
        }
        if (task == Task.CLASSIFICATION && net.outputs() < 2) {
            throw new CompilationException("an argmax needs at least 2 scores; the network writes " + net.outputs());
        }
        checkFinite(net);
        CircuitCompiler.RangeChoice ranges = CircuitCompiler.chooseRanges(model, settings);
        List<double[]> samples = settings.sampleInputs() == null ? List.of() : settings.sampleInputs();
        checkSamplesInRanges(samples, ranges, features);
        String target = settings.target() == null ? QuantizationSettings.TARGET_ACCURACY : settings.target();

        // Float reference on the samples: the outputs, and each layer's largest |pre-activation|.
        int layers = net.layers().size();
        double[] maxAbsPre = new double[layers];
        List<double[]> floatOut = new ArrayList<>(samples.size());
        for (double[] x : samples) {
            double[] h = x;
            for (int l = 0; l < layers; l++) {
                Layer layer = net.layers().get(l);
                double[] z = new double[layer.outputs()];
                for (int j = 0; j < z.length; j++) {
                    double acc = layer.bias(j);
                    for (int i = 0; i < h.length; i++) {
                        acc += layer.weight(j, i) * h[i];
                    }
                    z[j] = acc;
                    maxAbsPre[l] = Math.max(maxAbsPre[l], Math.abs(acc));
                }
                if (layer.relu()) {
                    for (int j = 0; j < z.length; j++) {
                        z[j] = Math.max(z[j], 0);
                    }
                }
                h = z;
            }
            floatOut.add(h);
        }
        double maxAbsInput = 0;
        for (FeatureRange r : ranges.ranges()) {
            maxAbsInput = Math.max(maxAbsInput, Math.max(Math.abs(r.min()), Math.abs(r.max())));
        }

        // Candidates.
        List<Scales> grid = new ArrayList<>();
        boolean calibrate = !samples.isEmpty() && (settings.inputScale() == null || settings.weightScale() == null);
        int[] aBits = settings.inputScale() != null ? new int[]{-1} : calibrate ? GRID_BITS : new int[]{DEFAULT_BITS};
        int[] wBits = settings.weightScale() != null ? new int[]{-1} : calibrate ? GRID_BITS : new int[]{DEFAULT_BITS};
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        for (int ba : aBits) {
            for (int bw : wBits) {
                Scales s = scales(net, settings, ba, bw, maxAbsInput, samples.isEmpty() ? null : maxAbsPre, task);
                if (seen.add(s.key())) {
                    grid.add(s);
                }
            }
        }

        List<Tried> tried = new ArrayList<>(grid.size());
        for (Scales s : grid) {
            Built b = build(net, s, ranges, task);
            if (b.overflow() != null || samples.isEmpty()) {
                tried.add(new Tried(b, null, null));
                continue;
            }
            tried.add(evaluate(b, net, samples, floatOut, task));
        }
        double tolerance = tolerance(settings, task, floatOut);
        Choice choice = choose(tried, task, target, tolerance, samples.isEmpty());
        Built chosen = choice.tried().built();

        ObjectNode quant = metadata(chosen, ranges, features, net, tried, choice, target, tolerance, samples.size(), task);
        CircuitIr ir = chosen.graph().build(name, task.irName(), new CircuitIr.Producer(CircuitCompiler.PRODUCER, CircuitCompiler.VERSION),
                sourceSha256 == null ? null : new CircuitIr.Source(model.format(), sourceSha256, model.modelClass()),
                quant, features, outputs);
        byte[] bytes = IrWriter.write(ir);
        try {
            return CompiledCircuit.fromIr(bytes);
        } catch (IrValidationException e) {
            throw new IllegalStateException("the compiled network IR failed validation: " + e.getMessage(), e);
        }
    }

    private static void checkFinite(NetworkStructure net) throws CompilationException {
        for (Layer l : net.layers()) {
            for (int j = 0; j < l.outputs(); j++) {
                if (!Double.isFinite(l.bias(j))) {
                    throw new CompilationException("layer \"" + l.name() + "\": bias " + j + " is not finite: " + l.bias(j));
                }
                for (int i = 0; i < l.inputs(); i++) {
                    if (!Double.isFinite(l.weight(j, i))) {
                        throw new CompilationException("layer \"" + l.name() + "\": weight [" + j + "][" + i + "] is not finite: "
                                + l.weight(j, i));
                    }
                }
            }
        }
    }

    private static void checkSamplesInRanges(List<double[]> samples, CircuitCompiler.RangeChoice ranges, List<String> features)
            throws CompilationException {
        for (int k = 0; k < samples.size(); k++) {
            for (int i = 0; i < features.size(); i++) {
                FeatureRange r = ranges.ranges().get(i);
                double v = samples.get(k)[i];
                if (v < r.min() || v > r.max()) {
                    throw new CompilationException("sampleInputs[" + k + "][" + i + "] (feature \"" + features.get(i) + "\") = " + v
                            + " is outside its input range [" + r.min() + ", " + r.max() + "]");
                }
            }
        }
    }

    /** The scales for budgets {@code (ba, bw)} (−1: the requested scale). */
    static Scales scales(NetworkStructure net, QuantizationSettings settings, int ba, int bw, double maxAbsInput,
                         double[] maxAbsPre, Task task) throws CompilationException {
        int layers = net.layers().size();
        int inputScale = settings.inputScale() != null ? CircuitCompiler.chooseInputScale(settings.inputScale(), List.of())
                : clamp(ba - Quantizer.ceilLog2(maxAbsInput), MAX_ACTIVATION_SCALE);
        int[] ws = new int[layers];
        int[] as = new int[layers];
        int prev = inputScale;
        for (int l = 0; l < layers; l++) {
            Layer layer = net.layers().get(l);
            if (settings.weightScale() != null) {
                if (settings.weightScale() < 0 || settings.weightScale() > CircuitCompiler.MAX_WEIGHT_SCALE) {
                    throw new CompilationException("weightScale must be in [0, " + CircuitCompiler.MAX_WEIGHT_SCALE + "] bits, got "
                            + settings.weightScale());
                }
                ws[l] = settings.weightScale();
            } else {
                double maxW = 0;
                for (int j = 0; j < layer.outputs(); j++) {
                    for (int i = 0; i < layer.inputs(); i++) {
                        maxW = Math.max(maxW, Math.abs(layer.weight(j, i)));
                    }
                }
                ws[l] = clamp(bw - Quantizer.ceilLog2(maxW), CircuitCompiler.MAX_AUTO_WEIGHT_SCALE);
            }
            boolean last = l == layers - 1;
            if (last && task == Task.CLASSIFICATION) {
                as[l] = prev + ws[l]; // the argmax reads the exact accumulator
            } else if (settings.inputScale() != null || maxAbsPre == null) {
                as[l] = inputScale;
            } else {
                // the largest pre-activation seen, widened by the range margin, at about 2^B_a
                double m = maxAbsPre[l] * (1 + 2 * CircuitCompiler.RANGE_MARGIN);
                as[l] = clamp(ba - Quantizer.ceilLog2(m), MAX_ACTIVATION_SCALE);
            }
            as[l] = Math.min(as[l], prev + ws[l]); // a rescale only drops bits
            prev = as[l];
        }
        return new Scales(ba < 0 ? null : ba, bw < 0 ? null : bw, inputScale, ws, as);
    }

    private static int clamp(int v, int max) {
        return Math.max(0, Math.min(max, v));
    }

    /** Builds the graph of one candidate (or records the overflow that stops it) and counts its constraints. */
    static Built build(NetworkStructure net, Scales s, CircuitCompiler.RangeChoice ranges, Task task) {
        IrGraph g = new IrGraph();
        int n = net.inputs();
        List<BigInteger> lo = new ArrayList<>(n);
        List<BigInteger> hi = new ArrayList<>(n);
        for (FeatureRange r : ranges.ranges()) {
            lo.add(Quantizer.quantize(r.min(), s.inputScale()));
            hi.add(Quantizer.quantize(r.max(), s.inputScale()));
        }
        Map<String, Long> byLayer = new LinkedHashMap<>();
        int layers = net.layers().size();
        String digits = "%0" + Integer.toString(Math.max(1, layers - 1)).length() + "d";
        try {
            IrTensor x = g.input("x", List.of(n), s.inputScale(), lo, hi);
            CircuitCompiler.checkBounds(x, "input range");
            byLayer.put("input", inputCost(x));
            String h = "x";
            int hScale = s.inputScale();
            for (int l = 0; l < layers; l++) {
                Layer layer = net.layers().get(l);
                boolean last = l == layers - 1;
                String k = String.format(digits, l);
                int accScale = hScale + s.weightScales()[l];
                int shift = accScale - s.activationScales()[l];
                boolean rescale = !(last && task == Task.CLASSIFICATION) && shift > 0;
                BigInteger half = rescale ? BigInteger.ONE.shiftLeft(shift - 1) : BigInteger.ZERO;
                List<BigInteger> qw = new ArrayList<>(layer.outputs() * layer.inputs());
                List<BigInteger> qb = new ArrayList<>(layer.outputs());
                for (int j = 0; j < layer.outputs(); j++) {
                    for (int i = 0; i < layer.inputs(); i++) {
                        qw.add(constant(layer.weight(j, i), s.weightScales()[l], layer, "weight [" + j + "][" + i + "]"));
                    }
                    qb.add(constant(layer.bias(j), accScale, layer, "bias " + j).add(half));
                }
                g.constant("w" + k, List.of(layer.outputs(), layer.inputs()), s.weightScales()[l], qw);
                g.constant("b" + k, List.of(layer.outputs()), accScale, qb);
                String where = "layer " + l + " (\"" + layer.name() + "\")";
                long cost = 0;
                if (last && task == Task.CLASSIFICATION) {
                    IrTensor scores = g.intermediate(new DenseOp(h, "w" + k, "b" + k, "scores"));
                    CircuitCompiler.checkBounds(scores, where + " scores");
                    cost += denseCost(layer);
                    g.output(new ArgmaxOp("scores", "label"));
                    cost += argmaxCost(scores);
                } else if (last) {
                    // a regression-like output, after its ReLU if the graph ends in one
                    boolean relu = layer.relu();
                    String accName = rescale || relu ? "acc" + k : "y";
                    DenseOp dense = new DenseOp(h, "w" + k, "b" + k, accName);
                    IrTensor acc = rescale || relu ? g.intermediate(dense) : g.output(dense);
                    CircuitCompiler.checkBounds(acc, where + " accumulator");
                    cost += denseCost(layer);
                    String cur = accName;
                    if (rescale) {
                        String rn = relu ? "z" + k : "y";
                        RescaleOp r = new RescaleOp(cur, rn, shift);
                        IrTensor zt = relu ? g.intermediate(r) : g.output(r);
                        cost += rescaleCost(zt, shift);
                        cur = rn;
                    }
                    if (relu) {
                        IrTensor in = g.tensor(cur);
                        g.output(new ReluOp(cur, "y"));
                        cost += reluCost(in);
                    }
                } else {
                    IrTensor acc = g.intermediate(new DenseOp(h, "w" + k, "b" + k, "acc" + k));
                    CircuitCompiler.checkBounds(acc, where + " accumulator");
                    cost += denseCost(layer);
                    String z = "acc" + k;
                    if (rescale) {
                        IrTensor zt = g.intermediate(new RescaleOp(z, "z" + k, shift));
                        cost += rescaleCost(zt, shift);
                        z = "z" + k;
                    }
                    if (layer.relu()) {
                        IrTensor in = g.tensor(z);
                        g.intermediate(new ReluOp(z, "h" + k));
                        cost += reluCost(in);
                        z = "h" + k;
                    }
                    h = z;
                    hScale = s.activationScales()[l];
                }
                byLayer.put(layer.name() == null || layer.name().isEmpty() ? "layer " + l : layer.name(), cost);
            }
        } catch (CompilationException e) {
            return new Built(s, null, e.getMessage(), -1, byLayer, Double.NaN);
        } catch (IrValidationException e) {
            throw new IllegalStateException("the compiler built an op its own checks reject: " + e.getMessage(), e);
        }
        // every public output value is asserted equal to its computed value (1 each)
        long outputs = g.outputs().stream().mapToLong(o -> g.tensor(o).size()).sum();
        long total = byLayer.values().stream().mapToLong(Long::longValue).sum() + outputs;
        return new Built(s, g, null, total, byLayer, errorBound(net, s, ranges, g, task));
    }

    private static BigInteger constant(double v, int scale, Layer layer, String what) throws CompilationException {
        BigInteger q = Quantizer.quantize(v, scale);
        if (!io.zkml.compiler.ir.IntervalAnalysis.withinFieldLimit(q)) {
            throw new CompilationException("overflow: layer \"" + layer.name() + "\" " + what + " needs " + q.bitLength()
                    + " bits at scale " + scale + ", the field allows |value| < 2^" + CircuitIr.MAX_BOUND_BITS);
        }
        return q;
    }

    // --- constraint counts (docs/ir-format.md, "Costs") -----------------------------------------

    static long decomposition(int w) {
        return w + 1L;
    }

    static long inputCost(IrTensor x) {
        long c = 0;
        for (int i = 0; i < x.size(); i++) {
            BigInteger span = x.hi().get(i).subtract(x.lo().get(i));
            c += span.signum() == 0 ? 1 : 2 * decomposition(span.bitLength());
        }
        return c;
    }

    static long denseCost(Layer layer) {
        return layer.inputs() + 1 >= COMPRESS_THRESHOLD ? layer.outputs() : 0;
    }

    static long rescaleCost(IrTensor out, int shift) {
        long c = 0;
        for (int i = 0; i < out.size(); i++) {
            c += 1 + decomposition(shift) + decomposition(out.hi().get(i).subtract(out.lo().get(i)).bitLength());
        }
        return c;
    }

    static long reluCost(IrTensor x) {
        long c = 0;
        for (int i = 0; i < x.size(); i++) {
            BigInteger lo = x.lo().get(i);
            BigInteger hi = x.hi().get(i);
            if (lo.signum() >= 0 || hi.signum() <= 0) {
                continue;
            }
            c += 2 + decomposition(hi.max(lo.negate().subtract(BigInteger.ONE)).bitLength());
        }
        return c;
    }

    static long argmaxCost(IrTensor x) {
        int n = x.size();
        if (n <= 1) {
            return 0;
        }
        BigInteger max = x.hi().stream().reduce(BigInteger::max).orElseThrow();
        BigInteger min = x.lo().stream().reduce(BigInteger::min).orElseThrow();
        int b = max.subtract(min).bitLength();
        return n + 1L + n + n * decomposition(b);
    }

    // --- error bound ---------------------------------------------------------------------------

    /**
     * A bound on |circuit − float| of every output (regression) or score (classification), in real
     * units, for every input in the ranges, propagated layer by layer: with {@code e_i} the error
     * and {@code M_i} a bound on |value| of a layer's input {@code i}, the accumulator's error is at
     * most {@code Σ_i (|W_ji|·e_i + |δW_ji|·(M_i + e_i)) + |δb_j|} ({@code δ}: the rounding of that
     * constant), a rescale adds half an output step, a ReLU (1-Lipschitz) adds nothing. {@code M}
     * of a layer's output is its circuit bound (dequantized) plus its error.
     */
    static double errorBound(NetworkStructure net, Scales s, CircuitCompiler.RangeChoice ranges, IrGraph g, Task task) {
        int n = net.inputs();
        double[] e = new double[n];
        double[] m = new double[n];
        for (int i = 0; i < n; i++) {
            FeatureRange r = ranges.ranges().get(i);
            e[i] = Math.scalb(1.0, -(s.inputScale() + 1));
            m[i] = Math.max(Math.abs(r.min()), Math.abs(r.max()));
        }
        int hScale = s.inputScale();
        int layers = net.layers().size();
        String digits = "%0" + Integer.toString(Math.max(1, layers - 1)).length() + "d";
        double worst = 0;
        for (int l = 0; l < layers; l++) {
            Layer layer = net.layers().get(l);
            int ws = s.weightScales()[l];
            int accScale = hScale + ws;
            boolean last = l == layers - 1;
            int outScale = s.activationScales()[l];
            boolean rescale = !(last && task == Task.CLASSIFICATION) && accScale - outScale > 0;
            double[] e2 = new double[layer.outputs()];
            double[] m2 = new double[layer.outputs()];
            String k = String.format(digits, l);
            IrTensor out = g.tensor(last ? (task == Task.CLASSIFICATION ? "scores" : "y") : layer.relu() ? "h" + k : rescale ? "z" + k : "acc" + k);
            for (int j = 0; j < layer.outputs(); j++) {
                double acc = Math.abs(Quantizer.dequantize(Quantizer.quantize(layer.bias(j), accScale), accScale) - layer.bias(j));
                for (int i = 0; i < layer.inputs(); i++) {
                    double w = layer.weight(j, i);
                    double dw = Math.abs(Quantizer.dequantize(Quantizer.quantize(w, ws), ws) - w);
                    acc += Math.abs(w) * e[i] + dw * (m[i] + e[i]);
                }
                if (rescale) {
                    acc += Math.scalb(1.0, -(outScale + 1));
                }
                e2[j] = acc;
                int sc = out.scale();
                m2[j] = Quantizer.dequantize(out.lo().get(j).abs().max(out.hi().get(j).abs()), sc) + acc;
                if (last) {
                    worst = Math.max(worst, acc);
                }
            }
            e = e2;
            m = m2;
            hScale = outScale;
        }
        // The sums above are of positive doubles: round up (relative error far below 2^-30 for any layer size).
        return Math.nextUp(worst * (1 + Math.scalb(1.0, -30)));
    }

    // --- evaluation on the samples -------------------------------------------------------------

    /**
     * Evaluates a candidate on every sample, exactly as the circuit does: in {@code long} when every
     * partial sum of every layer fits (checked from the interval bounds), else with
     * {@link ReferenceEvaluator}. Returns the label agreement (classification) and the largest
     * |circuit − float| of the scores or outputs.
     */
    static Tried evaluate(Built b, NetworkStructure net, List<double[]> samples, List<double[]> floatOut, Task task) {
        IrGraph g = b.graph();
        Scales s = b.scales();
        int agree = 0;
        double maxError = 0;
        Plan plan = Plan.of(g);
        String scoreName = task == Task.CLASSIFICATION ? "scores" : "y";
        int scoreScale = g.tensor(scoreName).scale();
        CircuitIr ir = plan == null ? g.build("calibration", task.irName(), new CircuitIr.Producer(CircuitCompiler.PRODUCER,
                CircuitCompiler.VERSION), null, null, featureNames(net.inputs()), outputNames(net.outputs())) : null;
        for (int k = 0; k < samples.size(); k++) {
            double[] x = samples.get(k);
            double[] score;
            if (plan != null) {
                long[] q = new long[x.length];
                for (int i = 0; i < x.length; i++) {
                    q[i] = Quantizer.quantize(x[i], s.inputScale()).longValueExact();
                }
                long[] out = plan.run(q);
                score = new double[out.length];
                for (int j = 0; j < out.length; j++) {
                    score[j] = Math.scalb((double) out[j], -scoreScale);
                }
            } else {
                List<BigInteger> q = new ArrayList<>(x.length);
                for (double v : x) {
                    q.add(Quantizer.quantize(v, s.inputScale()));
                }
                List<BigInteger> out;
                try {
                    out = ReferenceEvaluator.evaluateAll(ir, q).get(scoreName);
                } catch (InputValidationException e) {
                    throw new IllegalStateException("a sample inside the ranges failed the input check: " + e.getMessage(), e);
                }
                score = out.stream().mapToDouble(v -> Quantizer.dequantize(v, scoreScale)).toArray();
            }
            double[] f = floatOut.get(k);
            for (int j = 0; j < f.length; j++) {
                maxError = Math.max(maxError, Math.abs(score[j] - f[j]));
            }
            if (task == Task.CLASSIFICATION && argmax(score) == argmax(f)) {
                agree++;
            }
        }
        return new Tried(b, task == Task.CLASSIFICATION ? agree / (double) samples.size() : null, maxError);
    }

    /** The first index of the largest value (the circuit's and the float model's tie rule). */
    static int argmax(double[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) {
            if (v[j] > v[best]) {
                best = j;
            }
        }
        return best;
    }

    private static List<String> featureNames(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add("x" + i);
        }
        return out;
    }

    private static List<String> outputNames(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }

    /**
     * The graph's dense/rescale/relu chain in {@code long} arithmetic, up to the score tensor (the
     * argmax's input, or the regression output); null when some partial sum could exceed 2^62.
     * {@code >>} on a long is the floor, as {@code rescale}.
     */
    record Plan(List<long[][]> weights, List<long[]> biases, int[] shifts, boolean[] relu) {

        static final BigInteger LIMIT = BigInteger.ONE.shiftLeft(62);

        static Plan of(IrGraph g) {
            List<long[][]> ws = new ArrayList<>();
            List<long[]> bs = new ArrayList<>();
            List<Integer> shifts = new ArrayList<>();
            List<Boolean> relus = new ArrayList<>();
            for (IrOp op : g.ops()) {
                if (op instanceof DenseOp d) {
                    IrTensor x = g.tensor(d.x());
                    IrTensor w = g.tensor(d.weight());
                    IrTensor bias = g.tensor(d.bias());
                    int m = w.shape().get(0);
                    int n = w.shape().get(1);
                    long[][] wl = new long[m][n];
                    long[] bl = new long[m];
                    for (int j = 0; j < m; j++) {
                        BigInteger sum = bias.values().get(j).abs();
                        for (int i = 0; i < n; i++) {
                            BigInteger wv = w.values().get(j * n + i);
                            sum = sum.add(wv.abs().multiply(x.lo().get(i).abs().max(x.hi().get(i).abs())));
                            wl[j][i] = wv.longValue();
                        }
                        if (sum.compareTo(LIMIT) >= 0) {
                            return null;
                        }
                        bl[j] = bias.values().get(j).longValueExact();
                    }
                    ws.add(wl);
                    bs.add(bl);
                    shifts.add(0);
                    relus.add(false);
                } else if (op instanceof RescaleOp r) {
                    shifts.set(shifts.size() - 1, r.shift());
                } else if (op instanceof ReluOp) {
                    relus.set(relus.size() - 1, true);
                }
            }
            int[] sh = shifts.stream().mapToInt(Integer::intValue).toArray();
            boolean[] re = new boolean[relus.size()];
            for (int i = 0; i < re.length; i++) {
                re[i] = relus.get(i);
            }
            return new Plan(ws, bs, sh, re);
        }

        long[] run(long[] x) {
            long[] h = x;
            for (int l = 0; l < weights.size(); l++) {
                long[][] w = weights.get(l);
                long[] b = biases.get(l);
                long[] o = new long[b.length];
                for (int j = 0; j < o.length; j++) {
                    long acc = b[j];
                    long[] row = w[j];
                    for (int i = 0; i < row.length; i++) {
                        acc += row[i] * h[i];
                    }
                    acc >>= shifts[l];
                    o[j] = relu[l] && acc < 0 ? 0 : acc;
                }
                h = o;
            }
            return h;
        }
    }

    // --- choice ----------------------------------------------------------------------------------

    static double tolerance(QuantizationSettings settings, Task task, List<double[]> floatOut) {
        if (settings.tolerance() != null) {
            return settings.tolerance();
        }
        if (task == Task.CLASSIFICATION) {
            return DEFAULT_LABEL_TOLERANCE;
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double[] y : floatOut) {
            for (double v : y) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return max > min ? DEFAULT_RELATIVE_TOLERANCE * (max - min) : DEFAULT_RELATIVE_TOLERANCE;
    }

    record Choice(Tried tried, boolean targetMet, String reason, List<String> verdicts) {
    }

    /**
     * Accuracy: classification, the cheapest candidate with 100 % label agreement (none: the most
     * agreeing, then cheapest, and the report says the target was not met); regression, the smallest
     * error on the samples (ties: cheaper). Resources: the cheapest candidate within the tolerance
     * (a fraction of labels that may differ, or an absolute error); none is an error.
     */
    static Choice choose(List<Tried> tried, Task task, String target, double tolerance, boolean noSamples)
            throws CompilationException {
        List<String> verdicts = new ArrayList<>(tried.size());
        List<Tried> ok = tried.stream().filter(t -> t.built().overflow() == null).toList();
        if (ok.isEmpty()) {
            if (tried.size() == 1) {
                throw new CompilationException(tried.getFirst().built().overflow());
            }
            StringBuilder b = new StringBuilder("every candidate scale setting overflows:");
            for (Tried t : tried) {
                b.append(" [").append(describe(t.built().scales())).append("] ").append(t.built().overflow()).append(';');
            }
            throw new CompilationException(b.toString());
        }
        Tried best;
        boolean met;
        String reason;
        if (noSamples || ok.size() == 1 && tried.size() == 1) {
            best = ok.getFirst();
            met = true;
            reason = noSamples ? "no sampleInputs: the default bit budget (" + DEFAULT_BITS + " bits), not calibrated"
                    : "the requested scales";
        } else if (task == Task.CLASSIFICATION) {
            double need = QuantizationSettings.TARGET_RESOURCES.equals(target) ? 1 - tolerance : 1.0;
            List<Tried> meeting = ok.stream().filter(t -> t.labelAgreement() >= need - 1e-12).toList();
            if (!meeting.isEmpty()) {
                best = cheapest(meeting);
                met = true;
                reason = "the cheapest candidate with label agreement >= " + percent(need) + " on the samples";
            } else if (QuantizationSettings.TARGET_RESOURCES.equals(target)) {
                Tried top = ok.stream().max((a, c) -> Double.compare(a.labelAgreement(), c.labelAgreement())).orElseThrow();
                throw new CompilationException("calibration failed: no candidate reaches label agreement " + percent(need)
                        + " on the " + "samples (the best, [" + describe(top.built().scales()) + "], agrees on "
                        + percent(top.labelAgreement()) + "); raise quantization.tolerance or use target accuracy");
            } else {
                double top = ok.stream().mapToDouble(Tried::labelAgreement).max().orElseThrow();
                best = cheapest(ok.stream().filter(t -> t.labelAgreement() == top).toList());
                met = false;
                reason = "no candidate agrees with the float model on every sample; the most agreeing ("
                        + percent(top) + "), cheapest, is chosen";
            }
        } else if (QuantizationSettings.TARGET_RESOURCES.equals(target)) {
            List<Tried> meeting = ok.stream().filter(t -> t.maxError() <= tolerance).toList();
            if (meeting.isEmpty()) {
                Tried top = ok.stream().min((a, c) -> Double.compare(a.maxError(), c.maxError())).orElseThrow();
                throw new CompilationException("calibration failed: no candidate keeps the error on the samples within "
                        + tolerance + " (the best, [" + describe(top.built().scales()) + "], has " + top.maxError()
                        + "); raise quantization.tolerance or use target accuracy");
            }
            best = cheapest(meeting);
            met = true;
            reason = "the cheapest candidate with max |error| <= " + tolerance + " on the samples";
        } else {
            double min = ok.stream().mapToDouble(Tried::maxError).min().orElseThrow();
            best = cheapest(ok.stream().filter(t -> t.maxError() == min).toList());
            met = true;
            reason = "the smallest max |error| on the samples (" + min + "), then the fewest constraints";
        }
        for (Tried t : tried) {
            String v;
            if (t.built().overflow() != null) {
                v = "overflow: " + t.built().overflow();
            } else if (t == best) {
                v = "chosen: " + reason;
            } else if (task == Task.CLASSIFICATION && t.labelAgreement() != null && t.labelAgreement() < best.labelAgreement()) {
                v = "lower label agreement (" + percent(t.labelAgreement()) + ")";
            } else if (task == Task.REGRESSION && t.maxError() != null && QuantizationSettings.TARGET_RESOURCES.equals(target)
                    && t.maxError() > tolerance) {
                v = "error above the tolerance";
            } else if (task == Task.REGRESSION && t.maxError() != null && !QuantizationSettings.TARGET_RESOURCES.equals(target)
                    && t.maxError() > best.maxError()) {
                v = "larger error on the samples";
            } else {
                v = "more constraints (" + t.built().constraints() + " > " + best.built().constraints() + ")";
            }
            verdicts.add(v);
        }
        return new Choice(best, met, reason, verdicts);
    }

    private static Tried cheapest(List<Tried> ts) {
        Tried best = ts.getFirst();
        for (Tried t : ts) {
            if (t.built().constraints() < best.built().constraints()) {
                best = t;
            }
        }
        return best;
    }

    private static String percent(double v) {
        return String.format(Locale.ROOT, "%.2f %%", 100 * v);
    }

    private static String describe(Scales s) {
        return "activationBits " + s.activationBits() + ", weightBits " + s.weightBits() + ", inputScale " + s.inputScale();
    }

    // --- metadata --------------------------------------------------------------------------------

    private static ObjectNode metadata(Built chosen, CircuitCompiler.RangeChoice ranges, List<String> features,
                                       NetworkStructure net, List<Tried> tried, Choice choice, String target, double tolerance,
                                       int samples, Task task) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode q = f.objectNode();
        Scales s = chosen.scales();
        q.put("rounding", Quantizer.ROUNDING);
        q.put("inputScale", s.inputScale());
        q.put("weightScale", s.weightScales()[0]);
        q.put("outputScale", s.activationScales()[s.activationScales().length - 1]);
        q.put("rangeSource", ranges.source());
        CircuitCompiler.putInputRanges(q, ranges, features);
        q.put("errorBound", Double.toString(chosen.errorBound()));
        ObjectNode nw = q.putObject("network");
        ArrayNode ls = nw.putArray("layers");
        int l = 0;
        int prev = s.inputScale();
        for (Layer layer : net.layers()) {
            ObjectNode o = ls.addObject();
            o.put("name", layer.name() == null ? "" : layer.name());
            o.put("inputs", layer.inputs());
            o.put("outputs", layer.outputs());
            o.put("relu", layer.relu());
            o.put("weightScale", s.weightScales()[l]);
            o.put("outputScale", s.activationScales()[l]);
            o.put("shift", prev + s.weightScales()[l] - s.activationScales()[l]);
            String key = layer.name() == null || layer.name().isEmpty() ? "layer " + l : layer.name();
            o.put("constraints", chosen.constraintsByLayer().getOrDefault(key, 0L));
            prev = s.activationScales()[l];
            l++;
        }
        nw.put("inputConstraints", chosen.constraintsByLayer().getOrDefault("input", 0L));
        nw.put("constraints", chosen.constraints());
        ObjectNode cal = nw.putObject("calibration");
        cal.put("target", target);
        cal.put("tolerance", Double.toString(tolerance));
        cal.put("samples", samples);
        cal.put("targetMet", choice.targetMet());
        cal.put("reason", choice.reason());
        ArrayNode cs = cal.putArray("candidates");
        for (int k = 0; k < tried.size(); k++) {
            Tried t = tried.get(k);
            Scales ts = t.built().scales();
            ObjectNode o = cs.addObject();
            if (ts.activationBits() != null) {
                o.put("activationBits", ts.activationBits());
            }
            if (ts.weightBits() != null) {
                o.put("weightBits", ts.weightBits());
            }
            o.put("inputScale", ts.inputScale());
            ArrayNode wsn = o.putArray("weightScales");
            Arrays.stream(ts.weightScales()).forEach(wsn::add);
            ArrayNode asn = o.putArray("outputScales");
            Arrays.stream(ts.activationScales()).forEach(asn::add);
            if (t.built().overflow() == null) {
                o.put("constraints", t.built().constraints());
                o.put("errorBound", Double.toString(t.built().errorBound()));
            }
            if (t.labelAgreement() != null) {
                o.put("labelAgreement", Double.toString(t.labelAgreement()));
            }
            if (t.maxError() != null) {
                o.put("maxError", Double.toString(t.maxError()));
            }
            o.put("chosen", t == choice.tried());
            o.put("why", choice.verdicts().get(k));
        }
        return q;
    }
}
