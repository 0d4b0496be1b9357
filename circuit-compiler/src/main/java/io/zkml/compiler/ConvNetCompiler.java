package io.zkml.compiler;

import io.zkml.compiler.NetworkCompiler.Built;
import io.zkml.compiler.NetworkCompiler.Choice;
import io.zkml.compiler.NetworkCompiler.Scales;
import io.zkml.compiler.NetworkCompiler.Tried;
import io.zkml.compiler.ir.CircuitIr;
import io.zkml.compiler.ir.IntervalAnalysis;
import io.zkml.compiler.ir.IrGraph;
import io.zkml.compiler.ir.IrTensor;
import io.zkml.compiler.ir.IrValidationException;
import io.zkml.compiler.ir.IrWriter;
import io.zkml.compiler.ir.ReferenceEvaluator;
import io.zkml.compiler.ir.ops.ArgmaxOp;
import io.zkml.compiler.ir.ops.AvgPool2dOp;
import io.zkml.compiler.ir.ops.Conv2dOp;
import io.zkml.compiler.ir.ops.DenseOp;
import io.zkml.compiler.ir.ops.MaxPool2dOp;
import io.zkml.compiler.ir.ops.ReluOp;
import io.zkml.compiler.ir.ops.RescaleOp;
import io.zkml.compiler.ir.ops.ReshapeOp;
import io.zkml.compiler.ir.ops.Window2d;
import io.zkml.compiler.model.ConvNetStructure;
import io.zkml.compiler.model.ConvNetStructure.AvgPool;
import io.zkml.compiler.model.ConvNetStructure.Conv;
import io.zkml.compiler.model.ConvNetStructure.Dense;
import io.zkml.compiler.model.ConvNetStructure.MaxPool;
import io.zkml.compiler.model.ConvNetStructure.Relu;
import io.zkml.compiler.model.ConvNetStructure.Shape;
import io.zkml.compiler.model.ConvNetStructure.Stage;
import io.zkml.compiler.model.ImportedModel;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Quantizes a convolutional network ({@link ConvNetStructure}) like {@link NetworkCompiler} does a
 * dense one (per linear stage a power-of-two weight scale at {@code B_w} bits and an activation
 * scale at {@code B_a} bits, calibrated over the same grid on sample inputs; round-to-nearest
 * rescales) and lowers it to IR v2 with the ops {@code conv2d}, {@code maxpool2d},
 * {@code avgpool2d} and {@code reshape} (docs/ir-format.md, docs/adr/0018-onnx-convolutions.md):
 * <pre>
 *   x [n] ─ reshape [C, H, W] ─ conv2d ─ acc ─ maxpool2d ─ rescale ─ relu ─ … ─ reshape [n] ─ dense ─ … ─ scores ─ argmax
 * </pre>
 * A Conv followed (through its ReLU) by a MaxPool is lowered as {@code conv2d → maxpool2d →
 * rescale → relu}: max commutes with the monotone floor rescale and with the ReLU, so the values
 * are bit for bit those of {@code conv2d → rescale → relu → maxpool2d}, but the rescale and the
 * ReLU run on the pooled (4× fewer) values. An AveragePool is {@code avgpool2d} (multipliers
 * {@code 1} at scale {@code log2 k} for a window count {@code k} that is a power of two and the
 * same everywhere, else {@code round(2^16 / count)} at scale 16) then a floor {@code rescale} back
 * to its input's scale.
 */
final class ConvNetCompiler {

    /** The scale of non-power-of-two average-pool multipliers. */
    static final int AVG_MULT_SCALE = 16;

    private ConvNetCompiler() {
    }

    static CompiledCircuit compile(ImportedModel model, ConvNetStructure net, String name, String sourceSha256,
                                   QuantizationSettings settings, boolean argmax, List<String> labels) throws CompilationException {
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
        String target = settings.target() == null ? QuantizationSettings.TARGET_ACCURACY : settings.target();

        List<Integer> linear = linearStages(net);
        double[] maxAbsPre = new double[linear.size()];
        List<double[]> floatOut = new ArrayList<>(samples.size());
        for (double[] x : samples) {
            List<double[]> acts = net.activations(x);
            for (int l = 0; l < linear.size(); l++) {
                for (double v : acts.get(linear.get(l))) {
                    maxAbsPre[l] = Math.max(maxAbsPre[l], Math.abs(v));
                }
            }
            floatOut.add(acts.getLast());
        }
        double maxAbsInput = 0;
        for (FeatureRange r : ranges.ranges()) {
            maxAbsInput = Math.max(maxAbsInput, Math.max(Math.abs(r.min()), Math.abs(r.max())));
        }

        List<Scales> grid = new ArrayList<>();
        boolean calibrate = !samples.isEmpty() && (settings.inputScale() == null || settings.weightScale() == null);
        int[] aBits = settings.inputScale() != null ? new int[]{-1} : calibrate ? NetworkCompiler.GRID_BITS : new int[]{NetworkCompiler.DEFAULT_BITS};
        int[] wBits = settings.weightScale() != null ? new int[]{-1} : calibrate ? NetworkCompiler.GRID_BITS : new int[]{NetworkCompiler.DEFAULT_BITS};
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        for (int ba : aBits) {
            for (int bw : wBits) {
                Scales s = scales(net, linear, settings, ba, bw, maxAbsInput, samples.isEmpty() ? null : maxAbsPre, task);
                if (seen.add(s.key())) {
                    grid.add(s);
                }
            }
        }
        List<Tried> tried = new ArrayList<>(grid.size());
        for (Scales s : grid) {
            Built b = build(net, s, ranges, task);
            Tried t = b.overflow() != null || samples.isEmpty() ? new Tried(b, null, null) : evaluate(b, net, samples, floatOut, task);
            tried.add(new Tried(new Built(b.scales(), null, b.overflow(), b.constraints(), b.constraintsByLayer(), b.errorBound()),
                    t.labelAgreement(), t.maxError()));
        }
        double tolerance = NetworkCompiler.tolerance(settings, task, floatOut);
        Choice choice = NetworkCompiler.choose(tried, task, target, tolerance, samples.isEmpty());
        Built chosen = build(net, choice.tried().built().scales(), ranges, task);
        if (chosen.graph() == null || chosen.constraints() != choice.tried().built().constraints()) {
            throw new IllegalStateException("the chosen candidate built differently the second time");
        }
        ObjectNode quant = metadata(chosen, ranges, features, net, linear, tried, choice, target, tolerance, samples.size());
        CircuitIr ir = chosen.graph().build(name, task.irName(), new CircuitIr.Producer(CircuitCompiler.PRODUCER, CircuitCompiler.VERSION),
                sourceSha256 == null ? null : new CircuitIr.Source(model.format(), sourceSha256, model.modelClass()),
                quant, features, outputs);
        try {
            return CompiledCircuit.fromIr(IrWriter.write(ir));
        } catch (IrValidationException e) {
            throw new IllegalStateException("the compiled CNN IR failed validation: " + e.getMessage(), e);
        }
    }

    /** Indexes of the Conv and Dense stages. */
    static List<Integer> linearStages(ConvNetStructure net) {
        List<Integer> out = new ArrayList<>();
        for (int k = 0; k < net.stages().size(); k++) {
            if (net.stages().get(k) instanceof Conv || net.stages().get(k) instanceof Dense) {
                out.add(k);
            }
        }
        return out;
    }

    private static void checkFinite(ConvNetStructure net) throws CompilationException {
        for (Stage st : net.stages()) {
            double[] w = st instanceof Conv c ? c.weights() : null;
            double[] b = st instanceof Conv c ? c.bias() : st instanceof Dense d ? d.bias() : null;
            if (st instanceof Dense d) {
                w = Arrays.stream(d.weights()).flatMapToDouble(Arrays::stream).toArray();
            }
            if (w == null) {
                continue;
            }
            for (double v : w) {
                if (!Double.isFinite(v)) {
                    throw new CompilationException("stage \"" + st.name() + "\": a weight is not finite: " + v);
                }
            }
            for (double v : b) {
                if (!Double.isFinite(v)) {
                    throw new CompilationException("stage \"" + st.name() + "\": a bias is not finite: " + v);
                }
            }
        }
    }

    private static double maxAbsWeight(Stage st) {
        double m = 0;
        if (st instanceof Conv c) {
            for (double v : c.weights()) {
                m = Math.max(m, Math.abs(v));
            }
        } else if (st instanceof Dense d) {
            for (double[] row : d.weights()) {
                for (double v : row) {
                    m = Math.max(m, Math.abs(v));
                }
            }
        }
        return m;
    }

    static Scales scales(ConvNetStructure net, List<Integer> linear, QuantizationSettings settings, int ba, int bw,
                         double maxAbsInput, double[] maxAbsPre, Task task) throws CompilationException {
        int inputScale = settings.inputScale() != null ? CircuitCompiler.chooseInputScale(settings.inputScale(), List.of())
                : clamp(ba - Quantizer.ceilLog2(maxAbsInput), NetworkCompiler.MAX_ACTIVATION_SCALE);
        int n = linear.size();
        int[] ws = new int[n];
        int[] as = new int[n];
        int prev = inputScale;
        for (int l = 0; l < n; l++) {
            Stage st = net.stages().get(linear.get(l));
            if (settings.weightScale() != null) {
                if (settings.weightScale() < 0 || settings.weightScale() > CircuitCompiler.MAX_WEIGHT_SCALE) {
                    throw new CompilationException("weightScale must be in [0, " + CircuitCompiler.MAX_WEIGHT_SCALE + "] bits, got "
                            + settings.weightScale());
                }
                ws[l] = settings.weightScale();
            } else {
                ws[l] = clamp(bw - Quantizer.ceilLog2(maxAbsWeight(st)), CircuitCompiler.MAX_AUTO_WEIGHT_SCALE);
            }
            boolean finalScores = linear.get(l) == net.stages().size() - 1 && task == Task.CLASSIFICATION;
            if (finalScores) {
                as[l] = prev + ws[l];
            } else if (settings.inputScale() != null || maxAbsPre == null) {
                as[l] = inputScale;
            } else {
                as[l] = clamp(ba - Quantizer.ceilLog2(maxAbsPre[l] * (1 + 2 * CircuitCompiler.RANGE_MARGIN)),
                        NetworkCompiler.MAX_ACTIVATION_SCALE);
            }
            as[l] = Math.min(as[l], prev + ws[l]);
            prev = as[l];
        }
        return new Scales(ba < 0 ? null : ba, bw < 0 ? null : bw, inputScale, ws, as);
    }

    private static int clamp(int v, int max) {
        return Math.max(0, Math.min(max, v));
    }

    /** The current tensor of the lowering, with its error and magnitude bounds per element (real units). */
    private static final class Cur {
        String name;
        Shape shape;
        double[] e;
        double[] m;
    }

    static Built build(ConvNetStructure net, Scales s, CircuitCompiler.RangeChoice ranges, Task task) {
        IrGraph g = new IrGraph();
        int n = net.inputs();
        List<BigInteger> lo = new ArrayList<>(n);
        List<BigInteger> hi = new ArrayList<>(n);
        for (FeatureRange r : ranges.ranges()) {
            lo.add(Quantizer.quantize(r.min(), s.inputScale()));
            hi.add(Quantizer.quantize(r.max(), s.inputScale()));
        }
        Map<String, Long> byLayer = new LinkedHashMap<>();
        List<Stage> stages = net.stages();
        Cur cur = new Cur();
        cur.e = new double[n];
        cur.m = new double[n];
        for (int i = 0; i < n; i++) {
            FeatureRange r = ranges.ranges().get(i);
            cur.e[i] = Math.scalb(1.0, -(s.inputScale() + 1));
            cur.m[i] = Math.max(Math.abs(r.min()), Math.abs(r.max()));
        }
        double worst = 0;
        String scoreName = null;
        try {
            IrTensor x = g.input("x", List.of(n), s.inputScale(), lo, hi);
            CircuitCompiler.checkBounds(x, "input range");
            byLayer.put("input", NetworkCompiler.inputCost(x));
            cur.shape = Shape.image(net.channels(), net.height(), net.width());
            cur.name = "x";
            if (!(stages.getFirst() instanceof Dense)) {
                g.intermediate(new ReshapeOp("x", "x_img", List.of(net.channels(), net.height(), net.width())));
                cur.name = "x_img";
            }
            int hScale = s.inputScale();
            int l = 0;
            for (int k = 0; k < stages.size(); k++) {
                Stage st = stages.get(k);
                String tag = Integer.toString(k);
                String where = "stage " + k + " (\"" + st.name() + "\")";
                long[] cost = {0};
                String key = st.name() == null || st.name().isEmpty() ? "stage " + k : st.name();
                boolean last = k == stages.size() - 1;
                switch (st) {
                    case Conv c -> {
                        boolean scores = last && task == Task.CLASSIFICATION;
                        int consumed = lowerLinear(g, st, cur, s.weightScales()[l], hScale, s.activationScales()[l], scores, tag, where, cost,
                                stages, k);
                        hScale = s.activationScales()[l];
                        l++;
                        k += consumed - 1;
                        if (scores) {
                            scoreName = cur.name;
                        }
                    }
                    case Dense d -> {
                        if (!cur.shape.flat()) {
                            g.intermediate(new ReshapeOp(cur.name, "f" + tag, List.of(cur.shape.size())));
                            cur.name = "f" + tag;
                            cur.shape = Shape.vector(cur.shape.size());
                        }
                        boolean scores = last && task == Task.CLASSIFICATION;
                        int consumed = lowerLinear(g, st, cur, s.weightScales()[l], hScale, s.activationScales()[l], scores, tag, where, cost,
                                stages, k);
                        hScale = s.activationScales()[l];
                        l++;
                        k += consumed - 1;
                        if (scores) {
                            scoreName = cur.name;
                        }
                    }
                    case Relu r -> relu(g, cur, "r" + tag, cost);
                    case MaxPool p -> maxpool(g, cur, p.kh(), p.kw(), p.strides(), p.pads(), "p" + tag, where, cost);
                    case AvgPool p -> avgpool(g, cur, p, hScale, tag, where, cost);
                }
                byLayer.merge(key, cost[0], Long::sum);
            }
            if (task == Task.CLASSIFICATION) {
                if (scoreName == null) {
                    scoreName = flatten(g, cur, "scores");
                } else if (!cur.shape.flat()) {
                    scoreName = flatten(g, cur, "scores");
                }
                IrTensor st = g.tensor(scoreName);
                g.output(new ArgmaxOp(scoreName, "label"));
                byLayer.merge("argmax", NetworkCompiler.argmaxCost(st), Long::sum);
            } else {
                g.output(new ReshapeOp(cur.name, "y", List.of(cur.shape.size())));
            }
            for (double v : cur.e) {
                worst = Math.max(worst, v);
            }
        } catch (CompilationException ex) {
            return new Built(s, null, ex.getMessage(), -1, byLayer, Double.NaN);
        } catch (IrValidationException ex) {
            throw new IllegalStateException("the compiler built an op its own checks reject: " + ex.getMessage(), ex);
        }
        long outputs = g.outputs().stream().mapToLong(o -> g.tensor(o).size()).sum();
        long total = byLayer.values().stream().mapToLong(Long::longValue).sum() + outputs;
        return new Built(s, g, null, total, byLayer, Math.nextUp(worst * (1 + Math.scalb(1.0, -30))));
    }

    private static String flatten(IrGraph g, Cur cur, String name) throws IrValidationException {
        g.intermediate(new ReshapeOp(cur.name, name, List.of(cur.shape.size())));
        cur.name = name;
        cur.shape = Shape.vector(cur.shape.size());
        return name;
    }

    /**
     * A Conv or Dense stage: the linear op, then (unless it is the classifier's scores) the rescale,
     * with a following MaxPool pulled in front of the rescale and a following Relu after it.
     * Returns how many stages it consumed (1 to 3).
     */
    private static int lowerLinear(IrGraph g, Stage st, Cur cur, int ws, int hScale, int outScale, boolean scores, String tag,
                                   String where, long[] cost, List<Stage> stages, int k)
            throws CompilationException, IrValidationException {
        int accScale = hScale + ws;
        int shift = scores ? 0 : accScale - outScale;
        BigInteger half = shift > 0 ? BigInteger.ONE.shiftLeft(shift - 1) : BigInteger.ZERO;
        String acc = "acc" + tag;
        IrTensor accT;
        double[] e2;
        Shape outShape;
        if (st instanceof Conv c) {
            List<BigInteger> qw = new ArrayList<>(c.weights().length);
            for (double w : c.weights()) {
                qw.add(constant(w, ws, st, "weight"));
            }
            List<BigInteger> qb = new ArrayList<>(c.outChannels());
            double[] db = new double[c.outChannels()];
            for (int m = 0; m < c.outChannels(); m++) {
                BigInteger q = constant(c.bias()[m], accScale, st, "bias " + m);
                db[m] = Math.abs(Math.scalb(q.doubleValue(), -accScale) - c.bias()[m]);
                qb.add(q.add(half));
            }
            g.constant("w" + tag, List.of(c.outChannels(), c.inChannels(), c.kh(), c.kw()), ws, qw);
            g.constant("b" + tag, List.of(c.outChannels()), accScale, qb);
            Conv2dOp op = new Conv2dOp(cur.name, "w" + tag, "b" + tag, acc,
                    List.of(c.strides()[0], c.strides()[1]), List.of(c.pads()[0], c.pads()[1], c.pads()[2], c.pads()[3]));
            accT = g.intermediate(op);
            Window2d win = op.window(g.tensor(cur.name), g.tensor("w" + tag));
            outShape = Shape.image(c.outChannels(), win.oh(), win.ow());
            e2 = new double[outShape.size()];
            int taps = 0;
            for (int m = 0; m < c.outChannels(); m++) {
                for (int i = 0; i < win.oh(); i++) {
                    for (int j = 0; j < win.ow(); j++) {
                        double[] err = {db[m]};
                        int mm = m;
                        int[] count = {0};
                        for (int ch = 0; ch < c.inChannels(); ch++) {
                            int cc = ch;
                            win.taps(i, j, (u, v, p, q) -> {
                                double w = c.weight(mm, cc, u, v);
                                int xi = win.index(cc, p, q);
                                double dw = Math.abs(Math.scalb(qw.get(((mm * c.inChannels() + cc) * c.kh() + u) * c.kw() + v).doubleValue(), -ws) - w);
                                err[0] += Math.abs(w) * cur.e[xi] + dw * (cur.m[xi] + cur.e[xi]);
                                count[0]++;
                            });
                        }
                        taps = Math.max(taps, count[0]);
                        e2[(m * win.oh() + i) * win.ow() + j] = err[0];
                    }
                }
            }
            cost[0] += taps + 1 >= NetworkCompiler.COMPRESS_THRESHOLD ? outShape.size() : 0;
        } else {
            Dense d = (Dense) st;
            List<BigInteger> qw = new ArrayList<>(d.outputs() * d.inputs());
            List<BigInteger> qb = new ArrayList<>(d.outputs());
            e2 = new double[d.outputs()];
            for (int j = 0; j < d.outputs(); j++) {
                double err = 0;
                for (int i = 0; i < d.inputs(); i++) {
                    double w = d.weights()[j][i];
                    BigInteger q = constant(w, ws, st, "weight [" + j + "][" + i + "]");
                    qw.add(q);
                    err += Math.abs(w) * cur.e[i] + Math.abs(Math.scalb(q.doubleValue(), -ws) - w) * (cur.m[i] + cur.e[i]);
                }
                BigInteger q = constant(d.bias()[j], accScale, st, "bias " + j);
                err += Math.abs(Math.scalb(q.doubleValue(), -accScale) - d.bias()[j]);
                qb.add(q.add(half));
                e2[j] = err;
            }
            g.constant("w" + tag, List.of(d.outputs(), d.inputs()), ws, qw);
            g.constant("b" + tag, List.of(d.outputs()), accScale, qb);
            accT = g.intermediate(new DenseOp(cur.name, "w" + tag, "b" + tag, acc));
            outShape = Shape.vector(d.outputs());
            cost[0] += d.inputs() + 1 >= NetworkCompiler.COMPRESS_THRESHOLD ? d.outputs() : 0;
        }
        CircuitCompiler.checkBounds(accT, where + " accumulator");
        cur.name = acc;
        cur.shape = outShape;
        cur.e = e2;
        cur.m = magnitudes(accT, e2);
        if (scores) {
            return 1;
        }
        int consumed = 1;
        boolean relu = k + 1 < stages.size() && stages.get(k + 1) instanceof Relu;
        int poolAt = k + (relu ? 2 : 1);
        if (st instanceof Conv && poolAt < stages.size() && stages.get(poolAt) instanceof MaxPool p) {
            // max commutes with the floor rescale and the ReLU: pool the accumulator first
            maxpool(g, cur, p.kh(), p.kw(), p.strides(), p.pads(), "p" + tag, where, cost);
            consumed = poolAt - k + 1;
        } else if (relu) {
            consumed = 2;
        }
        if (shift > 0) {
            IrTensor zt = g.intermediate(new RescaleOp(cur.name, "z" + tag, shift));
            cost[0] += rescaleCost(zt, shift);
            cur.name = zt.name();
            double step = Math.scalb(1.0, -(outScale + 1));
            for (int i = 0; i < cur.e.length; i++) {
                cur.e[i] += step;
            }
            cur.m = magnitudes(zt, cur.e);
        }
        if (relu) {
            relu(g, cur, "h" + tag, cost);
        }
        return consumed;
    }

    private static void relu(IrGraph g, Cur cur, String name, long[] cost) throws IrValidationException {
        IrTensor in = g.tensor(cur.name);
        IrTensor out = g.intermediate(new ReluOp(cur.name, name));
        cost[0] += reluCost(in);
        cur.name = name;
        cur.m = magnitudes(out, cur.e);
    }

    private static void maxpool(IrGraph g, Cur cur, int kh, int kw, int[] st, int[] pd, String name, String where, long[] cost)
            throws IrValidationException {
        MaxPool2dOp op = new MaxPool2dOp(cur.name, name, List.of(kh, kw), List.of(st[0], st[1]), List.of(pd[0], pd[1], pd[2], pd[3]));
        IrTensor in = g.tensor(cur.name);
        IrTensor out = g.intermediate(op);
        Window2d win = op.window(in);
        double[] e = new double[out.size()];
        long c = 0;
        for (int ch = 0; ch < win.c(); ch++) {
            for (int i = 0; i < win.oh(); i++) {
                for (int j = 0; j < win.ow(); j++) {
                    int k = (ch * win.oh() + i) * win.ow() + j;
                    int cc = ch;
                    double[] err = {0};
                    List<Integer> taps = new ArrayList<>();
                    win.taps(i, j, (u, v, p, q) -> {
                        int xi = win.index(cc, p, q);
                        taps.add(xi);
                        err[0] = Math.max(err[0], cur.e[xi]);
                    });
                    e[k] = err[0];
                    if (taps.size() >= 2) {
                        c += taps.size();
                        for (int xi : taps) {
                            c += bits(out.hi().get(k).subtract(in.lo().get(xi)).bitLength());
                        }
                    }
                }
            }
        }
        cost[0] += c;
        cur.name = name;
        cur.shape = Shape.image(win.c(), win.oh(), win.ow());
        cur.e = e;
        cur.m = magnitudes(out, e);
    }

    private static void avgpool(IrGraph g, Cur cur, AvgPool p, int hScale, String tag, String where, long[] cost)
            throws IrValidationException, CompilationException {
        IrTensor in = g.tensor(cur.name);
        List<Integer> kernel = List.of(p.kh(), p.kw());
        List<Integer> strides = List.of(p.strides()[0], p.strides()[1]);
        List<Integer> pads = List.of(p.pads()[0], p.pads()[1], p.pads()[2], p.pads()[3]);
        Window2d win = Window2d.of(in, "x", p.kh(), p.kw(), strides, pads, where);
        int[] counts = new int[win.oh() * win.ow()];
        boolean uniform = true;
        for (int i = 0; i < win.oh(); i++) {
            for (int j = 0; j < win.ow(); j++) {
                counts[i * win.ow() + j] = p.countIncludePad() ? p.kh() * p.kw() : win.count(i, j);
                uniform &= counts[i * win.ow() + j] == counts[0];
            }
        }
        int ms;
        List<BigInteger> mult = new ArrayList<>(counts.length);
        if (uniform && Integer.bitCount(counts[0]) == 1) {
            ms = Integer.numberOfTrailingZeros(counts[0]);
            for (int ignored : counts) {
                mult.add(BigInteger.ONE);
            }
        } else {
            ms = AVG_MULT_SCALE;
            for (int cnt : counts) {
                mult.add(Quantizer.quantize(1.0 / cnt, ms));
            }
        }
        g.constant("am" + tag, List.of(win.oh(), win.ow()), ms, mult);
        AvgPool2dOp op = new AvgPool2dOp(cur.name, "am" + tag, "ap" + tag, kernel, strides, pads);
        IrTensor sum = g.intermediate(op);
        CircuitCompiler.checkBounds(sum, where + " sum");
        double[] e = new double[sum.size()];
        for (int ch = 0; ch < win.c(); ch++) {
            for (int i = 0; i < win.oh(); i++) {
                for (int j = 0; j < win.ow(); j++) {
                    int s = i * win.ow() + j;
                    double mv = Math.scalb(mult.get(s).doubleValue(), -ms);
                    double dm = Math.abs(mv - 1.0 / counts[s]);
                    int cc = ch;
                    double[] err = {0, 0};
                    win.taps(i, j, (u, v, pp, q) -> {
                        int xi = win.index(cc, pp, q);
                        err[0] += cur.e[xi];
                        err[1] += cur.m[xi];
                    });
                    e[(ch * win.oh() + i) * win.ow() + j] = mv * err[0] + dm * err[1] + (ms > 0 ? Math.scalb(1.0, -hScale) : 0);
                }
            }
        }
        cur.name = sum.name();
        cur.shape = Shape.image(win.c(), win.oh(), win.ow());
        cur.e = e;
        if (ms > 0) {
            IrTensor a = g.intermediate(new RescaleOp(sum.name(), "a" + tag, ms));
            cost[0] += rescaleCost(a, ms);
            cur.name = a.name();
            cur.m = magnitudes(a, e);
        } else {
            cur.m = magnitudes(sum, e);
        }
    }

    private static double[] magnitudes(IrTensor t, double[] e) {
        double[] m = new double[t.size()];
        for (int i = 0; i < m.length; i++) {
            m[i] = Quantizer.dequantize(t.lo().get(i).abs().max(t.hi().get(i).abs()), t.scale()) + e[i];
        }
        return m;
    }

    private static BigInteger constant(double v, int scale, Stage st, String what) throws CompilationException {
        BigInteger q = Quantizer.quantize(v, scale);
        if (!IntervalAnalysis.withinFieldLimit(q)) {
            throw new CompilationException("overflow: stage \"" + st.name() + "\" " + what + " needs " + q.bitLength()
                    + " bits at scale " + scale + ", the field allows |value| < 2^" + CircuitIr.MAX_BOUND_BITS);
        }
        return q;
    }

    // --- constraint counts (docs/ir-format.md) ---------------------------------------------------

    /** A w-bit decomposition as gnark counts it: w booleans and the recomposition; w = 1 is the boolean alone; w = 0 an equality. */
    static long bits(int w) {
        return w == 1 ? 1 : w + 1L;
    }

    static long rescaleCost(IrTensor out, int shift) {
        long c = 0;
        for (int i = 0; i < out.size(); i++) {
            c += 1 + bits(shift) + bits(out.hi().get(i).subtract(out.lo().get(i)).bitLength());
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
            c += 2 + bits(hi.max(lo.negate().subtract(BigInteger.ONE)).bitLength());
        }
        return c;
    }

    // --- evaluation on the samples ------------------------------------------------------------------

    static Tried evaluate(Built b, ConvNetStructure net, List<double[]> samples, List<double[]> floatOut, Task task) {
        IrGraph g = b.graph();
        List<String> feats = new ArrayList<>();
        for (int i = 0; i < net.inputs(); i++) {
            feats.add("x" + i);
        }
        List<String> outs = new ArrayList<>();
        int nOut = task == Task.CLASSIFICATION ? 1 : net.outputs();
        for (int i = 0; i < (task == Task.CLASSIFICATION ? net.outputs() : nOut); i++) {
            outs.add("o" + i);
        }
        CircuitIr ir = g.build("calibration", task.irName(), new CircuitIr.Producer(CircuitCompiler.PRODUCER, CircuitCompiler.VERSION),
                null, null, feats, outs);
        String scoreName = task == Task.CLASSIFICATION ? ((ArgmaxOp) ir.ops().getLast()).x() : "y";
        int scoreScale = g.tensor(scoreName).scale();
        int agree = 0;
        double maxError = 0;
        for (int k = 0; k < samples.size(); k++) {
            double[] x = samples.get(k);
            List<BigInteger> q = new ArrayList<>(x.length);
            for (double v : x) {
                q.add(Quantizer.quantize(v, b.scales().inputScale()));
            }
            List<BigInteger> out;
            try {
                out = ReferenceEvaluator.evaluateAll(ir, q).get(scoreName);
            } catch (InputValidationException e) {
                throw new IllegalStateException("a sample inside the ranges failed the input check: " + e.getMessage(), e);
            }
            double[] f = floatOut.get(k);
            double[] score = out.stream().mapToDouble(v -> Quantizer.dequantize(v, scoreScale)).toArray();
            for (int j = 0; j < f.length; j++) {
                maxError = Math.max(maxError, Math.abs(score[j] - f[j]));
            }
            if (task == Task.CLASSIFICATION && NetworkCompiler.argmax(score) == NetworkCompiler.argmax(f)) {
                agree++;
            }
        }
        return new Tried(b, task == Task.CLASSIFICATION ? agree / (double) samples.size() : null, maxError);
    }

    // --- metadata ---------------------------------------------------------------------------------

    private static ObjectNode metadata(Built chosen, CircuitCompiler.RangeChoice ranges, List<String> features, ConvNetStructure net,
                                       List<Integer> linear, List<Tried> tried, Choice choice, String target, double tolerance,
                                       int samples) {
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
        nw.put("kind", "cnn");
        ArrayNode ls = nw.putArray("layers");
        List<Shape> shapes = net.shapes();
        int prev = s.inputScale();
        for (int k = 0; k < net.stages().size(); k++) {
            Stage st = net.stages().get(k);
            ObjectNode o = ls.addObject();
            o.put("name", st.name() == null ? "" : st.name());
            o.put("kind", switch (st) {
                case Conv c -> "conv";
                case Relu r -> "relu";
                case MaxPool p -> "maxpool";
                case AvgPool p -> "avgpool";
                case Dense d -> "dense";
            });
            o.put("inputs", (k == 0 ? ConvNetStructure.Shape.image(net.channels(), net.height(), net.width()) : shapes.get(k - 1)).size());
            o.put("outputs", shapes.get(k).size());
            o.put("outputShape", shapes.get(k).toString());
            o.put("relu", st instanceof Relu);
            int l = linear.indexOf(k);
            if (l >= 0) {
                o.put("weightScale", s.weightScales()[l]);
                o.put("outputScale", s.activationScales()[l]);
                o.put("shift", prev + s.weightScales()[l] - s.activationScales()[l]);
                prev = s.activationScales()[l];
            }
            String key = st.name() == null || st.name().isEmpty() ? "stage " + k : st.name();
            Long c = chosen.constraintsByLayer().get(key);
            o.put("constraints", c == null ? 0 : c);
            if (c == null) {
                // lowered with the Conv before it (a MaxPool pulled before the rescale, a ReLU after it)
                for (int j = k - 1; j >= 0; j--) {
                    Stage prevStage = net.stages().get(j);
                    if (prevStage instanceof Conv || prevStage instanceof Dense) {
                        o.put("loweredWith", prevStage.name());
                        break;
                    }
                }
            }
        }
        ObjectNode by = nw.putObject("constraintsByLayer");
        chosen.constraintsByLayer().forEach(by::put);
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
