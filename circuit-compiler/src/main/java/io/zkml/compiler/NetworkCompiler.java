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
import io.zkml.compiler.ir.ops.WeightedSumOp;
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
                for (int j = 0; j < z.length; j++) {
                    z[j] = layer.activation().apply(z[j]);
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

        // Only one candidate's graph is alive at a time (a large network's constants and bounds,
        // 25 times over, would not fit); the chosen one is built again.
        List<Tried> tried = new ArrayList<>(grid.size());
        for (Scales s : grid) {
            Built b = build(net, s, ranges, task);
            Tried t = b.overflow() != null || samples.isEmpty() ? new Tried(b, null, null) : evaluate(b, net, samples, floatOut, task);
            tried.add(new Tried(new Built(b.scales(), null, b.overflow(), b.constraints(), b.constraintsByLayer(), b.errorBound()),
                    t.labelAgreement(), t.maxError()));
        }
        double tolerance = tolerance(settings, task, floatOut);
        Choice choice = choose(tried, task, target, tolerance, samples.isEmpty());
        Built chosen = build(net, choice.tried().built().scales(), ranges, task);
        if (chosen.graph() == null || chosen.constraints() != choice.tried().built().constraints()) {
            throw new IllegalStateException("the chosen candidate built differently the second time");
        }

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
        // the error bound on every score/output (real units, sound for every input in the ranges), propagated
        // as the graph is built: with e_i the error and m_i a bound on |value| of a layer input, the
        // accumulator errs by at most Σ_i (|W_ji|·e_i + |δW_ji|·(m_i + e_i)) + |δb_j| (δ: the rounding), a
        // rescale adds half an output step, a ReLU or Clip (1-Lipschitz) nothing but Clip's bound rounding
        // (docs/onnx-models.md)
        double[] e = new double[n];
        double[] m = new double[n];
        for (int i = 0; i < n; i++) {
            FeatureRange r = ranges.ranges().get(i);
            e[i] = Math.scalb(1.0, -(s.inputScale() + 1));
            m[i] = Math.max(Math.abs(r.min()), Math.abs(r.max()));
        }
        double worst = 0;
        try {
            IrTensor x = g.input("x", List.of(n), s.inputScale(), lo, hi);
            CircuitCompiler.checkBounds(x, "input range");
            byLayer.put("input", inputCost(x));
            String h = "x";
            int hScale = s.inputScale();
            BigInteger offset = BigInteger.ZERO; // the previous activation's value is its tensor + offset (Clip's min)
            for (int l = 0; l < layers; l++) {
                Layer layer = net.layers().get(l);
                boolean last = l == layers - 1;
                boolean scores = last && task == Task.CLASSIFICATION;
                String k = String.format(digits, l);
                int ws = s.weightScales()[l];
                int accScale = hScale + ws;
                int outScale = s.activationScales()[l];
                int shift = accScale - outScale;
                boolean rescale = !scores && shift > 0;
                BigInteger half = rescale ? BigInteger.ONE.shiftLeft(shift - 1) : BigInteger.ZERO;
                List<BigInteger> qw = new ArrayList<>(layer.outputs() * layer.inputs());
                List<BigInteger> qb = new ArrayList<>(layer.outputs());
                double[] e2 = new double[layer.outputs()];
                for (int j = 0; j < layer.outputs(); j++) {
                    BigInteger shifted = BigInteger.ZERO;
                    double err = 0;
                    for (int i = 0; i < layer.inputs(); i++) {
                        double w = layer.weight(j, i);
                        BigInteger q = constant(w, ws, layer, "weight [" + j + "][" + i + "]");
                        qw.add(q);
                        shifted = shifted.add(q.multiply(offset));
                        double dw = Math.abs(Math.scalb(q.doubleValue(), -ws) - w);
                        err += Math.abs(w) * e[i] + dw * (m[i] + e[i]);
                    }
                    BigInteger qbj = constant(layer.bias(j), accScale, layer, "bias " + j);
                    err += Math.abs(Math.scalb(qbj.doubleValue(), -accScale) - layer.bias(j));
                    qb.add(qbj.add(half).add(shifted));
                    e2[j] = err + (rescale ? Math.scalb(1.0, -(outScale + 1)) : 0);
                }
                g.constant("w" + k, List.of(layer.outputs(), layer.inputs()), ws, qw);
                String where = "layer " + l + " (\"" + layer.name() + "\")";
                long[] cost = {0};
                String outName;
                if (scores) {
                    g.constant("b" + k, List.of(layer.outputs()), accScale, qb);
                    IrTensor st = g.intermediate(new DenseOp(h, "w" + k, "b" + k, "scores"));
                    CircuitCompiler.checkBounds(st, where + " scores");
                    cost[0] += denseCost(layer);
                    g.output(new ArgmaxOp("scores", "label"));
                    cost[0] += argmaxCost(st);
                    outName = "scores";
                    offset = BigInteger.ZERO;
                } else {
                    Lowered low = lowerLayer(g, layer, h, k, shift, rescale, last, where, cost, qb, accScale, outScale, e2);
                    outName = low.name();
                    offset = low.offset();
                    e2 = low.error();
                }
                // |true value| <= |tensor bound| + |offset| + error
                IrTensor out = g.tensor(outName);
                double[] m2 = new double[layer.outputs()];
                double off = Math.abs(Math.scalb(offset.doubleValue(), -out.scale()));
                for (int j = 0; j < m2.length; j++) {
                    m2[j] = Quantizer.dequantize(out.lo().get(j).abs().max(out.hi().get(j).abs()), out.scale()) + off + e2[j];
                    if (last) {
                        worst = Math.max(worst, e2[j]);
                    }
                }
                e = e2;
                m = m2;
                h = outName;
                hScale = outScale;
                byLayer.put(layer.name() == null || layer.name().isEmpty() ? "layer " + l : layer.name(), cost[0]);
            }
        } catch (CompilationException ex) {
            return new Built(s, null, ex.getMessage(), -1, byLayer, Double.NaN);
        } catch (IrValidationException ex) {
            throw new IllegalStateException("the compiler built an op its own checks reject: " + ex.getMessage(), ex);
        }
        // every public output value is asserted equal to its computed value (1 each)
        long outputs = g.outputs().stream().mapToLong(o -> g.tensor(o).size()).sum();
        long total = byLayer.values().stream().mapToLong(Long::longValue).sum() + outputs;
        // The sums above are of positive doubles: round up (relative error far below 2^-30 for any layer size).
        return new Built(s, g, null, total, byLayer, Math.nextUp(worst * (1 + Math.scalb(1.0, -30))));
    }

    /** A lowered layer: its final tensor, the constant its true value adds (Clip's min, else 0), and its error. */
    record Lowered(String name, BigInteger offset, double[] error) {
    }

    /** The weight scale of LeakyRelu's two coefficients {@code (1 − α, α)}: exact when they are dyadic with at most this many bits. */
    static final int LEAKY_SCALE = 16;

    /**
     * {@code dense → [rescale] → activation} of a non-argmax layer; the last layer's final tensor is
     * the output {@code y}. ReLU: {@code relu}. LeakyRelu(α): {@code rescale(weighted_sum((1−α, α),
     * (relu(z), z)), k)} (floor: one step of error, plus the coefficients' rounding). Clip(lo, hi):
     * with {@code z_c = z − c} (the same dense with the bias lowered by {@code c·2^shift}, so the
     * rescale gives exactly {@code z − c}), {@code lo + relu(z_lo) − relu(z_hi)}; the constant
     * {@code lo} is added to the next layer's bias (or, at the output, by an identity dense).
     */
    private static Lowered lowerLayer(IrGraph g, Layer layer, String h, String k, int shift, boolean rescale, boolean last,
                                      String where, long[] cost, List<BigInteger> qb, int accScale, int outScale, double[] e)
            throws CompilationException, IrValidationException {
        NetworkStructure.Activation act = layer.activation();
        String finalName = last ? "y" : "h" + k;
        double[] err = e.clone();
        if (act.kind() == NetworkStructure.Activation.Kind.SIGMOID || act.kind() == NetworkStructure.Activation.Kind.TANH) {
            return lowerSmooth(g, layer, h, k, act, shift, rescale, last, where, cost, qb, accScale, outScale, e, finalName);
        }
        BigInteger unit = BigInteger.ONE.shiftLeft(rescale ? shift : 0);
        // the layer's bias b{k}: Clip with a finite nonzero min uses it lowered by min (z{k} = z − min)
        boolean clipLo = act.kind() == NetworkStructure.Activation.Kind.CLIP && !Double.isInfinite(act.min())
                && Quantizer.quantize(act.min(), outScale).signum() != 0;
        BigInteger lowered = clipLo ? Quantizer.quantize(act.min(), outScale).multiply(unit) : BigInteger.ZERO;
        List<BigInteger> main = new ArrayList<>(qb.size());
        for (BigInteger v : qb) {
            main.add(v.subtract(lowered));
        }
        g.constant("b" + k, List.of(qb.size()), accScale, main);
        if (act.kind() == NetworkStructure.Activation.Kind.NONE || act.kind() == NetworkStructure.Activation.Kind.RELU) {
            boolean relu = act.kind() == NetworkStructure.Activation.Kind.RELU;
            String z = preActivation(g, layer, h, "b" + k, "acc" + k, "z" + k, shift, rescale, where, cost,
                    relu || !last ? null : finalName);
            if (relu) {
                IrTensor in = g.tensor(z);
                add(g, new ReluOp(z, finalName), last);
                cost[0] += reluCost(in);
            }
            return new Lowered(finalName, BigInteger.ZERO, err);
        }
        if (act.kind() == NetworkStructure.Activation.Kind.LEAKY_RELU) {
            String z = preActivation(g, layer, h, "b" + k, "acc" + k, "z" + k, shift, rescale, where, cost, null);
            IrTensor zt = g.tensor(z);
            double alpha = act.alpha();
            int ks = 0;
            while (ks < LEAKY_SCALE && (Math.scalb(alpha, ks) != Math.rint(Math.scalb(alpha, ks)))) {
                ks++;
            }
            BigInteger q1 = Quantizer.quantize(1 - alpha, ks);
            BigInteger q2 = Quantizer.quantize(alpha, ks);
            g.intermediate(new ReluOp(z, "r" + k));
            cost[0] += reluCost(zt);
            g.constant("leaky" + k, List.of(2), ks, List.of(q1, q2));
            String sum = ks == 0 ? finalName : "s" + k;
            WeightedSumOp ws = new WeightedSumOp("leaky" + k, List.of("r" + k, z), sum);
            IrTensor st = ks == 0 ? add(g, ws, last) : g.intermediate(ws);
            CircuitCompiler.checkBounds(st, where + " LeakyRelu sum");
            if (ks > 0) {
                IrTensor out = add(g, new RescaleOp(sum, finalName, ks), last);
                cost[0] += rescaleCost(out, ks);
            }
            double d = Math.abs(Math.scalb(q1.doubleValue(), -ks) - (1 - alpha)) + Math.abs(Math.scalb(q2.doubleValue(), -ks) - alpha);
            double lip = Math.abs(1 - alpha) + Math.abs(alpha);
            for (int j = 0; j < err.length; j++) {
                double mz = Quantizer.dequantize(zt.lo().get(j).abs().max(zt.hi().get(j).abs()), zt.scale()) + e[j];
                err[j] = lip * e[j] + d * mz + (ks > 0 ? Math.scalb(1.0, -outScale) : 0);
            }
            return new Lowered(finalName, BigInteger.ZERO, err);
        }
        // Clip
        double lo = act.min();
        double hi = act.max();
        BigInteger cLo = Double.isInfinite(lo) ? null : Quantizer.quantize(lo, outScale);
        BigInteger cHi = Double.isInfinite(hi) ? null : Quantizer.quantize(hi, outScale);
        double dq = 0;
        if (cLo != null) {
            dq = Math.max(dq, Math.abs(Math.scalb(cLo.doubleValue(), -outScale) - lo));
        }
        if (cHi != null) {
            dq = Math.max(dq, Math.abs(Math.scalb(cHi.doubleValue(), -outScale) - hi));
        }
        for (int j = 0; j < err.length; j++) {
            err[j] = e[j] + dq;
        }
        String rLo = null;
        String zPlain = null;
        if (cLo != null) {
            // b{k} is already lowered by min when min != 0 (see above)
            String zLo = preActivation(g, layer, h, "b" + k, "acc" + k, "z" + k, shift, rescale, where, cost, null);
            if (cLo.signum() == 0) {
                zPlain = zLo;
            }
            IrTensor zt = g.tensor(zLo);
            rLo = "r" + k + "_lo";
            g.intermediate(new ReluOp(zLo, rLo));
            cost[0] += reluCost(zt);
        } else {
            zPlain = preActivation(g, layer, h, "b" + k, "acc" + k, "z" + k, shift, rescale, where, cost, null);
        }
        String rHi = null;
        if (cHi != null) {
            String zHi = shiftedPreActivation(g, layer, h, k, "hi", cHi.multiply(unit), qb, accScale, shift, rescale, where, cost);
            IrTensor zt = g.tensor(zHi);
            rHi = "r" + k + "_hi";
            g.intermediate(new ReluOp(zHi, rHi));
            cost[0] += reluCost(zt);
        }
        BigInteger offset = cLo == null ? BigInteger.ZERO : cLo;
        boolean needsOffsetHere = last && offset.signum() != 0;
        String diff = needsOffsetHere ? "d" + k : finalName;
        if (rHi == null) {
            diff = rLo; // only a min: relu(z − lo), plus lo
        } else {
            String first = rLo != null ? rLo : zPlain;
            g.constant("clip" + k, List.of(2), 0, List.of(BigInteger.ONE, BigInteger.ONE.negate()));
            WeightedSumOp ws = new WeightedSumOp("clip" + k, List.of(first, rHi), diff);
            if (needsOffsetHere) {
                g.intermediate(ws);
            } else {
                add(g, ws, last);
            }
        }
        if (needsOffsetHere) {
            // the output adds lo itself: an identity dense (free) with bias lo
            int size = layer.outputs();
            List<BigInteger> eye = new ArrayList<>(size * size);
            for (int a = 0; a < size; a++) {
                for (int b = 0; b < size; b++) {
                    eye.add(a == b ? BigInteger.ONE : BigInteger.ZERO);
                }
            }
            List<BigInteger> bias = new ArrayList<>(size);
            for (int a = 0; a < size; a++) {
                bias.add(offset);
            }
            g.constant("eye" + k, List.of(size, size), 0, eye);
            g.constant("lo" + k, List.of(size), outScale, bias);
            g.output(new DenseOp(diff, "eye" + k, "lo" + k, finalName));
            return new Lowered(finalName, BigInteger.ZERO, err);
        }
        if (!diff.equals(finalName)) {
            if (last) {
                // an output that is a relu's tensor already: relu of a non-negative value is itself, free
                g.output(new ReluOp(diff, finalName));
                return new Lowered(finalName, offset, err);
            }
            return new Lowered(diff, offset, err);
        }
        return new Lowered(finalName, offset, err);
    }

    /** Knots of the piecewise-linear Sigmoid/Tanh: this many, evenly spread on [−L, L]. */
    static final int SMOOTH_KNOTS = 33;
    /** L: Sigmoid 8 (σ(−8) = 3.4e-4), Tanh 4 (1 − tanh 4 = 6.7e-4). */
    static final double SIGMOID_L = 8;
    static final double TANH_L = 4;
    /** Scale of the slope changes of the piecewise-linear approximation. */
    static final int SMOOTH_SLOPE_SCALE = 16;

    /**
     * Sigmoid/Tanh as a piecewise-linear interpolation at knots τ_0 < … < τ_K (the evenly spread
     * knots, quantized): {@code f(τ_0) + Σ_i Δs_i · relu(z − τ_i)} with {@code Δs_i} the change of
     * slope at τ_i; each {@code z − τ_i} is the layer's dense with a lowered bias and its own
     * rescale, the sum one weighted_sum at scale 16, rescaled (floor); {@code f(τ_0)} is carried into
     * the next layer's bias (at the output, an identity dense). Error: the interpolation error
     * (measured on a fine grid plus its curvature bound between grid points, and f's distance to its
     * end values beyond the knots), the slope changes' rounding, the floor and the offset rounding,
     * plus the input error times the largest slope.
     */
    private static Lowered lowerSmooth(IrGraph g, Layer layer, String h, String k, NetworkStructure.Activation act, int shift,
                                       boolean rescale, boolean last, String where, long[] cost, List<BigInteger> qb,
                                       int accScale, int outScale, double[] e, String finalName)
            throws CompilationException, IrValidationException {
        boolean sigmoid = act.kind() == NetworkStructure.Activation.Kind.SIGMOID;
        double range = sigmoid ? SIGMOID_L : TANH_L;
        BigInteger unit = BigInteger.ONE.shiftLeft(rescale ? shift : 0);
        java.util.TreeSet<BigInteger> knotSet = new java.util.TreeSet<>();
        for (int i = 0; i < SMOOTH_KNOTS; i++) {
            knotSet.add(Quantizer.quantize(-range + 2 * range * i / (SMOOTH_KNOTS - 1), outScale));
        }
        List<BigInteger> knots = new ArrayList<>(knotSet);
        if (knots.size() < 2) {
            throw new CompilationException(where + ": " + act + " needs an output scale that separates its knots on [" + -range
                    + ", " + range + "]; scale " + outScale + " is too coarse");
        }
        int kn = knots.size();
        double[] tau = new double[kn];
        double[] f = new double[kn];
        for (int i = 0; i < kn; i++) {
            tau[i] = Math.scalb(knots.get(i).doubleValue(), -outScale);
            f[i] = act.apply(tau[i]);
        }
        double[] slope = new double[kn - 1];
        double maxSlope = 0;
        for (int i = 0; i + 1 < kn; i++) {
            slope[i] = (f[i + 1] - f[i]) / (tau[i + 1] - tau[i]);
            maxSlope = Math.max(maxSlope, Math.abs(slope[i]));
        }
        List<BigInteger> ds = new ArrayList<>(kn);
        double dsErr = 0; // Σ |δΔs_i| · max r_i, accumulated below per knot
        List<String> members = new ArrayList<>(kn);
        double[] rMax = new double[kn];
        for (int i = 0; i < kn; i++) {
            double d = i == 0 ? slope[0] : i == kn - 1 ? -slope[kn - 2] : slope[i] - slope[i - 1];
            BigInteger q = Quantizer.quantize(d, SMOOTH_SLOPE_SCALE);
            ds.add(q);
            // z − τ_i: the dense with its bias lowered by τ_i (in accumulator units), then the rescale;
            // the first knot's bias is the layer's b{k}
            String tag = "k" + i;
            String zi;
            if (i == 0) {
                List<BigInteger> b = new ArrayList<>(qb.size());
                for (BigInteger v : qb) {
                    b.add(v.subtract(knots.get(i).multiply(unit)));
                }
                g.constant("b" + k, List.of(b.size()), accScale, b);
                zi = preActivation(g, layer, h, "b" + k, "acc" + k, "z" + k, shift, rescale, where, cost, null);
            } else {
                zi = shiftedPreActivation(g, layer, h, k, tag, knots.get(i).multiply(unit), qb, accScale, shift, rescale, where, cost);
            }
            IrTensor zt = g.tensor(zi);
            String ri = "r" + k + "_" + tag;
            IrTensor rt = g.intermediate(new ReluOp(zi, ri));
            cost[0] += reluCost(zt);
            members.add(ri);
            double rm = 0;
            for (int j = 0; j < rt.size(); j++) {
                rm = Math.max(rm, Quantizer.dequantize(rt.hi().get(j), rt.scale()));
            }
            rMax[i] = rm;
            dsErr += Math.abs(Math.scalb(q.doubleValue(), -SMOOTH_SLOPE_SCALE) - d) * rm;
        }
        g.constant("slopes" + k, List.of(kn), SMOOTH_SLOPE_SCALE, ds);
        String sum = "s" + k;
        IrTensor st = g.intermediate(new WeightedSumOp("slopes" + k, members, sum));
        CircuitCompiler.checkBounds(st, where + " " + act + " sum");
        BigInteger offset = Quantizer.quantize(f[0], outScale);
        String rescaled = last && offset.signum() != 0 ? "d" + k : finalName;
        IrTensor out = add(g, new RescaleOp(sum, rescaled, SMOOTH_SLOPE_SCALE), last && offset.signum() == 0);
        cost[0] += rescaleCost(out, SMOOTH_SLOPE_SCALE);
        // The interpolation error: on a fine grid between knots, plus h_grid²/8 · max|f''| for the points
        // between grid points (max|f''|: σ 0.0963, tanh 0.770), and beyond the knots f's distance to its end values.
        double fpp = sigmoid ? 0.0963 : 0.770;
        double interp = 0;
        int per = 64;
        for (int i = 0; i + 1 < kn; i++) {
            double step = (tau[i + 1] - tau[i]) / per;
            for (int t = 0; t <= per; t++) {
                double x = tau[i] + t * step;
                interp = Math.max(interp, Math.abs(f[i] + slope[i] * (x - tau[i]) - act.apply(x)));
            }
        }
        double gridStep = 0;
        for (int i = 0; i + 1 < kn; i++) {
            gridStep = Math.max(gridStep, (tau[i + 1] - tau[i]) / per);
        }
        interp += gridStep * gridStep / 8 * fpp; // between grid points: the linear interpolation's curvature bound
        double beyond = Math.max(Math.abs(f[0] - (sigmoid ? 0 : -1)), Math.abs(1 - f[kn - 1]));
        interp = Math.max(interp, beyond);
        double[] err = new double[e.length];
        for (int j = 0; j < err.length; j++) {
            err[j] = maxSlope * e[j] + interp * 1.01 + dsErr + Math.scalb(1.0, -outScale)
                    + Math.abs(Math.scalb(offset.doubleValue(), -outScale) - f[0]);
        }
        if (last && offset.signum() != 0) {
            int size = layer.outputs();
            List<BigInteger> eye = new ArrayList<>(size * size);
            for (int a = 0; a < size; a++) {
                for (int b = 0; b < size; b++) {
                    eye.add(a == b ? BigInteger.ONE : BigInteger.ZERO);
                }
            }
            List<BigInteger> bias = new ArrayList<>(size);
            for (int a = 0; a < size; a++) {
                bias.add(offset);
            }
            g.constant("eye" + k, List.of(size, size), 0, eye);
            g.constant("lo" + k, List.of(size), outScale, bias);
            g.output(new DenseOp(rescaled, "eye" + k, "lo" + k, finalName));
            return new Lowered(finalName, BigInteger.ZERO, err);
        }
        return new Lowered(finalName, offset, err);
    }

    /** {@code dense} then {@code rescale} (if any): the pre-activation tensor; {@code asOutput}: its final name as a circuit output. */
    private static String preActivation(IrGraph g, Layer layer, String h, String bias, String accName, String zName, int shift,
                                        boolean rescale, String where, long[] cost, String asOutput)
            throws CompilationException, IrValidationException {
        String w = "w" + bias.substring(1);
        boolean denseIsOut = asOutput != null && !rescale;
        DenseOp d = new DenseOp(h, w, bias, denseIsOut ? asOutput : accName);
        IrTensor acc = denseIsOut ? g.output(d) : g.intermediate(d);
        CircuitCompiler.checkBounds(acc, where + " accumulator");
        cost[0] += denseCost(layer);
        if (!rescale) {
            return acc.name();
        }
        String zn = asOutput != null ? asOutput : zName;
        RescaleOp r = new RescaleOp(acc.name(), zn, shift);
        IrTensor zt = asOutput != null ? g.output(r) : g.intermediate(r);
        cost[0] += rescaleCost(zt, shift);
        return zn;
    }

    /** The pre-activation minus {@code c} (given in accumulator units): the same weights, the bias lowered by it. */
    private static String shiftedPreActivation(IrGraph g, Layer layer, String h, String k, String tag, BigInteger cAcc,
                                               List<BigInteger> qb, int accScale, int shift, boolean rescale, String where,
                                               long[] cost) throws CompilationException, IrValidationException {
        List<BigInteger> b = new ArrayList<>(qb.size());
        for (BigInteger v : qb) {
            b.add(v.subtract(cAcc));
        }
        g.constant("b" + k + "_" + tag, List.of(b.size()), accScale, b);
        // the weights are shared: w{k}
        DenseOp d = new DenseOp(h, "w" + k, "b" + k + "_" + tag, "acc" + k + "_" + tag);
        IrTensor acc = g.intermediate(d);
        CircuitCompiler.checkBounds(acc, where + " accumulator");
        cost[0] += denseCost(layer);
        if (!rescale) {
            return acc.name();
        }
        IrTensor zt = g.intermediate(new RescaleOp(acc.name(), "z" + k + "_" + tag, shift));
        cost[0] += rescaleCost(zt, shift);
        return zt.name();
    }

    private static IrTensor add(IrGraph g, IrOp op, boolean output) throws IrValidationException {
        return output ? g.output(op) : g.intermediate(op);
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
     * The graph's ops in {@code long} arithmetic (dense, rescale, relu, weighted_sum; the argmax is
     * left out), up to the score tensor ({@code scores}, the argmax's input, or the output {@code y});
     * null when some partial sum could reach 2^62 (checked from the interval bounds). {@code >>} on a
     * long is the floor, as {@code rescale}.
     */
    record Plan(List<IrOp> ops, Map<String, long[]> constants, String score) {

        static final BigInteger LIMIT = BigInteger.ONE.shiftLeft(62);

        static Plan of(IrGraph g) {
            return of(g.ops(), g::tensor, g.tensors());
        }

        static Plan of(CircuitIr ir) {
            return of(ir.ops(), ir::requireTensor, ir.tensors());
        }

        private static Plan of(List<IrOp> graphOps, java.util.function.Function<String, IrTensor> tensor, List<IrTensor> all) {
            Map<String, long[]> constants = new java.util.HashMap<>();
            List<IrOp> ops = new ArrayList<>();
            for (IrOp op : graphOps) {
                if (op instanceof ArgmaxOp) {
                    continue;
                }
                if (op instanceof DenseOp d) {
                    IrTensor x = tensor.apply(d.x());
                    IrTensor w = tensor.apply(d.weight());
                    IrTensor bias = tensor.apply(d.bias());
                    int rows = w.shape().get(0);
                    int cols = w.shape().get(1);
                    for (int j = 0; j < rows; j++) {
                        BigInteger sum = bias.values().get(j).abs();
                        for (int i = 0; i < cols; i++) {
                            sum = sum.add(w.values().get(j * cols + i).abs().multiply(x.lo().get(i).abs().max(x.hi().get(i).abs())));
                        }
                        if (sum.compareTo(LIMIT) >= 0) {
                            return null;
                        }
                    }
                    constants.computeIfAbsent(d.weight(), key -> longs(w));
                    constants.computeIfAbsent(d.bias(), key -> longs(bias));
                } else if (op instanceof WeightedSumOp ws) {
                    IrTensor w = tensor.apply(ws.weights());
                    int size = tensor.apply(ws.members().getFirst()).size();
                    for (int i = 0; i < size; i++) {
                        BigInteger sum = BigInteger.ZERO;
                        for (int k = 0; k < ws.members().size(); k++) {
                            IrTensor t = tensor.apply(ws.members().get(k));
                            sum = sum.add(w.values().get(k).abs().multiply(t.lo().get(i).abs().max(t.hi().get(i).abs())));
                        }
                        if (sum.compareTo(LIMIT) >= 0) {
                            return null;
                        }
                    }
                    constants.computeIfAbsent(ws.weights(), key -> longs(w));
                } else if (!(op instanceof RescaleOp || op instanceof ReluOp)) {
                    return null;
                }
                ops.add(op);
            }
            boolean hasScores = all.stream().anyMatch(t -> t.name().equals("scores"));
            return new Plan(List.copyOf(ops), constants, hasScores ? "scores" : "y");
        }

        private static long[] longs(IrTensor t) {
            long[] out = new long[t.values().size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = t.values().get(i).longValueExact();
            }
            return out;
        }

        long[] run(long[] x) {
            Map<String, long[]> v = new java.util.HashMap<>(constants);
            v.put("x", x);
            for (IrOp op : ops) {
                switch (op) {
                    case DenseOp d -> {
                        long[] in = v.get(d.x());
                        long[] w = v.get(d.weight());
                        long[] b = v.get(d.bias());
                        long[] o = new long[b.length];
                        int cols = in.length;
                        for (int j = 0; j < o.length; j++) {
                            long acc = b[j];
                            int base = j * cols;
                            for (int i = 0; i < cols; i++) {
                                acc += w[base + i] * in[i];
                            }
                            o[j] = acc;
                        }
                        v.put(d.out(), o);
                    }
                    case RescaleOp r -> {
                        long[] in = v.get(r.x());
                        long[] o = new long[in.length];
                        for (int i = 0; i < o.length; i++) {
                            o[i] = in[i] >> r.shift();
                        }
                        v.put(r.out(), o);
                    }
                    case ReluOp r -> {
                        long[] in = v.get(r.x());
                        long[] o = new long[in.length];
                        for (int i = 0; i < o.length; i++) {
                            o[i] = Math.max(in[i], 0);
                        }
                        v.put(r.out(), o);
                    }
                    case WeightedSumOp ws -> {
                        long[] w = v.get(ws.weights());
                        long[] o = new long[v.get(ws.members().getFirst()).length];
                        for (int k = 0; k < ws.members().size(); k++) {
                            long[] t = v.get(ws.members().get(k));
                            for (int i = 0; i < o.length; i++) {
                                o[i] += w[k] * t[i];
                            }
                        }
                        v.put(ws.out(), o);
                    }
                    default -> throw new IllegalStateException("not in a plan: " + op.op());
                }
            }
            return v.get(score);
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
            if (layer.activated() && !layer.relu()) {
                o.put("activation", layer.activation().toString());
            }
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
