package io.zkml.compiler;

import io.zkml.compiler.ir.CircuitIr;
import io.zkml.compiler.ir.IntervalAnalysis;
import io.zkml.compiler.ir.IrGraph;
import io.zkml.compiler.ir.IrReader;
import io.zkml.compiler.ir.IrTensor;
import io.zkml.compiler.ir.IrValidationException;
import io.zkml.compiler.ir.IrWriter;
import io.zkml.compiler.ir.ops.ArgmaxOp;
import io.zkml.compiler.ir.ops.SplitBitsOp;
import io.zkml.compiler.ir.ops.TreeOp;
import io.zkml.compiler.ir.ops.WeightedSumOp;
import io.zkml.compiler.model.DecisionTree;
import io.zkml.compiler.model.ImportedModel;
import io.zkml.compiler.model.TreeEnsembleStructure;
import io.zkml.compiler.model.TreeEnsembleStructure.Combiner;
import io.zkml.compiler.model.TreeEnsembleStructure.Member;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Quantizes a decision tree or a tree ensemble and lowers it to IR v2 (docs/quantization.md,
 * "Trees and forests"):
 * <pre>
 *   x ─ split_bits(thresholds) ─ bits ─┬─ tree(leaves_0) ─ t_0 ─┐
 *                                       ├─ tree(leaves_1) ─ t_1 ─┼─ weighted_sum(weights) ─ votes ─ argmax ─ label
 *                                       └─ …                     ┘                        (regression: ─ y)
 * </pre>
 * Every feature is compared with every distinct threshold of the whole ensemble once
 * ({@code split_bits}); each tree selects its leaf row from those bits. A single classification
 * tree stores its leaves' label indices and its output is the label (no sum, no argmax).
 *
 * <ul>
 *   <li>Thresholds: {@code τ = floor(t · 2^s_in)}, exact, so that for a quantized input
 *       {@code q = round(x · 2^s_in)}, {@code q > τ} equals Tribuo's {@code x > t} unless
 *       {@code |x − t| ≤ 2^−(s_in+1)} (half a step).</li>
 *   <li>The input scale is chosen as for linear models, then raised until no two distinct
 *       thresholds of a feature inside its range share one {@code τ}.</li>
 *   <li>Leaves: votes (one-hot of the leaf's label, exact), Tribuo's leaf scores or regression
 *       values at {@code s_leaf}; member weights exact when they are dyadic, else at {@code s_w}.</li>
 * </ul>
 */
final class TreeCompiler {

    /** Default: the largest |leaf value| (regression, scores) quantizes to at most 2^20. */
    static final int DEFAULT_LEAF_BITS = 20;
    /** Default: the largest member weight quantizes to at most 2^20 when the weights are not exact at a small scale. */
    static final int DEFAULT_MEMBER_WEIGHT_BITS = 20;
    /** Member weights that are dyadic rationals with at most this many fractional bits are represented exactly. */
    static final int MAX_EXACT_WEIGHT_SCALE = 24;
    static final int MAX_LEAF_SCALE = 64;

    private TreeCompiler() {
    }

    static CompiledCircuit compile(ImportedModel model, TreeEnsembleStructure s, String name, String sourceSha256,
                                   QuantizationSettings settings) throws CompilationException {
        List<String> features = model.features();
        List<String> outputs = model.outputs();
        int n = features.size();
        Task task = model.task();
        boolean classification = s.isClassification();
        if (classification != (task == Task.CLASSIFICATION)) {
            throw new CompilationException("the model's task (" + task.irName() + ") does not match its trees");
        }
        CircuitCompiler.RangeChoice ranges = CircuitCompiler.chooseRanges(model, settings);

        // Every distinct threshold of each feature over the whole ensemble.
        List<TreeSet<Double>> thresholds = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            thresholds.add(new TreeSet<>());
        }
        List<DecisionTree> trees = new ArrayList<>();
        List<Double> treeWeights = new ArrayList<>();
        for (Member m : s.members()) {
            for (DecisionTree t : m.trees()) {
                trees.add(t);
                treeWeights.add(m.weight());
                for (int k = 0; k < t.internalNodes(); k++) {
                    int f = t.feature()[k];
                    if (f < 0 || f >= n) {
                        throw new CompilationException("a tree splits on feature id " + f + "; the model has " + n + " features");
                    }
                    thresholds.get(f).add(t.threshold()[k]);
                }
            }
        }
        int inputScale = chooseInputScale(settings.inputScale(), ranges.ranges(), thresholds, features);

        List<BigInteger> lo = new ArrayList<>(n);
        List<BigInteger> hi = new ArrayList<>(n);
        for (FeatureRange r : ranges.ranges()) {
            lo.add(Quantizer.quantize(r.min(), inputScale));
            hi.add(Quantizer.quantize(r.max(), inputScale));
        }

        // The threshold table, sorted by (feature, τ), deduplicated: thresholds outside a feature's
        // range may share a τ, and then they are the same comparison.
        List<TreeMap<BigInteger, Integer>> index = new ArrayList<>(n);
        List<Integer> featureOf = new ArrayList<>();
        List<BigInteger> taus = new ArrayList<>();
        for (int f = 0; f < n; f++) {
            TreeMap<BigInteger, Integer> byTau = new TreeMap<>();
            for (double t : thresholds.get(f)) {
                byTau.putIfAbsent(tau(t, inputScale, lo.get(f), hi.get(f)), -1);
            }
            for (var e : byTau.entrySet()) {
                e.setValue(taus.size());
                taus.add(e.getKey());
                featureOf.add(f);
            }
            index.add(byTau);
        }
        if (taus.isEmpty()) {
            throw new CompilationException("the model has no split at all: every tree is a single leaf, so its prediction "
                    + "does not depend on the input (nothing to prove)");
        }

        Combiner combiner = s.combiner();
        boolean singleLabelTree = classification && trees.size() == 1;
        int classes = outputs.size();
        int leafScale = 0;
        if (!classification || scoresCombiner(combiner)) {
            leafScale = chooseLeafScale(settings.weightScale(), trees, classification);
        }
        checkSize(trees, singleLabelTree ? 1 : classes, taus.size());
        WeightChoice weights = chooseWeights(treeWeights, memberWeightSum(s), combiner, classification);

        IrGraph g = new IrGraph();
        try {
            IrTensor x = g.input("x", List.of(n), inputScale, lo, hi);
            CircuitCompiler.checkBounds(x, "input range");
            g.constant("thresholds", List.of(taus.size()), inputScale, taus);
            g.intermediate(new SplitBitsOp("x", "thresholds", "bits", featureOf));
            List<String> members = new ArrayList<>(trees.size());
            String digits = "%0" + Integer.toString(Math.max(1, trees.size() - 1)).length() + "d";
            for (int k = 0; k < trees.size(); k++) {
                DecisionTree t = trees.get(k);
                String suffix = String.format(digits, k);
                int width = singleLabelTree ? 1 : classification ? classes : outputs.size();
                List<BigInteger> leaves = leafValues(t, width, singleLabelTree, classification, combiner, leafScale);
                String leavesName = "leaves_" + suffix;
                g.constant(leavesName, List.of(t.leafCount(), width), singleLabelTree || (classification
                        && !scoresCombiner(combiner)) ? 0 : leafScale, leaves);
                List<Integer> bit = new ArrayList<>(t.internalNodes());
                for (int node = 0; node < t.internalNodes(); node++) {
                    int f = t.feature()[node];
                    bit.add(index.get(f).get(tau(t.threshold()[node], inputScale, lo.get(f), hi.get(f))));
                }
                TreeOp op = new TreeOp("bits", leavesName, singleLabelTree ? "label" : "tree_" + suffix, bit,
                        Arrays.stream(t.le()).boxed().toList(), Arrays.stream(t.gt()).boxed().toList());
                if (singleLabelTree) {
                    g.output(op);
                } else {
                    g.intermediate(op);
                    members.add("tree_" + suffix);
                }
            }
            int outputScale;
            if (singleLabelTree) {
                outputScale = 0;
            } else {
                g.constant("member_weights", List.of(trees.size()), weights.scale(), weights.values());
                WeightedSumOp sum = new WeightedSumOp("member_weights", members, classification ? "votes" : "y");
                IrTensor summed = classification ? g.intermediate(sum) : g.output(sum);
                CircuitCompiler.checkBounds(summed, classification ? "vote count" : "output");
                outputScale = summed.scale();
                if (classification) {
                    g.output(new ArgmaxOp("votes", "label"));
                }
            }
            Double errorBound = errorBound(s, trees, treeWeights, weights, leafScale, classification, combiner,
                    singleLabelTree, outputs.size());
            ObjectNode quant = metadata(inputScale, weights.scale(), leafScale, outputScale, ranges, features, errorBound,
                    taus.size(), combiner, settings, thresholds, inputScale);
            CircuitIr ir = g.build(name, task.irName(), new CircuitIr.Producer(CircuitCompiler.PRODUCER, CircuitCompiler.VERSION),
                    sourceSha256 == null ? null : new CircuitIr.Source(model.format(), sourceSha256, model.modelClass()),
                    quant, features, outputs);
            byte[] bytes = IrWriter.write(ir);
            return CompiledCircuit.fromIr(bytes);
        } catch (IrValidationException e) {
            // The compiler's own graph must pass the ops' checks and the reader: a failure is a compiler bug.
            throw new IllegalStateException("the compiled tree IR failed validation: " + e.getMessage(), e);
        }
    }

    /**
     * The IR threshold of {@code t} for a feature with quantized bounds {@code [lo, hi]}:
     * {@code floor(t · 2^scale)}, except that one beyond the field limit (|τ| ≥ 2^248, e.g. a split
     * at 1e300, or ±∞, which {@link DecisionTree} accepts) is replaced by {@code hi} (above the range:
     * the bit is always 0) or {@code lo − 1} (below: always 1), the same comparison for every input in range.
     */
    static BigInteger tau(double t, int scale, BigInteger lo, BigInteger hi) throws CompilationException {
        BigInteger tau = Double.isInfinite(t) ? null : floorScaled(t, scale);
        if (tau != null && IntervalAnalysis.withinFieldLimit(tau)) {
            return tau;
        }
        BigInteger c = t > 0 ? hi : lo.subtract(BigInteger.ONE);
        if (!IntervalAnalysis.withinFieldLimit(c)) { // lo − 1 = −2^248: no threshold below the range is representable
            throw new CompilationException("overflow: the threshold " + t
                    + (tau == null ? "" : " needs " + tau.bitLength() + " bits at input scale " + scale)
                    + ", the field allows |value| < 2^" + CircuitIr.MAX_BOUND_BITS);
        }
        return c;
    }

    /**
     * Refuses, before anything is built, a model whose IR would exceed {@link IrReader#MAX_BYTES}:
     * every value of the IR is a quoted decimal and a separator, at least 4 bytes (an attribute entry 2), and each tree
     * writes its leaf table ({@code L × width}) and its output bounds ({@code 2 × width}). A
     * regression forest's tables are {@code outputs} wide whatever the tree, so 256 members × 256
     * dimensions of one-leaf trees (no split counts against maxTreeNodes) would otherwise make a
     * 700 MB document and GBs of heap before the reader refused it.
     */
    static void checkSize(List<DecisionTree> trees, int width, int thresholds) throws CompilationException {
        long integers = 3L * thresholds; // the thresholds, the bits' lo and hi
        long nodes = 0;
        for (DecisionTree t : trees) {
            integers += (t.leafCount() + 2L) * width + 1; // leaf table, output lo and hi, member weight
            nodes += t.internalNodes();
        }
        long bytes = 4 * integers + 2 * 3 * nodes; // bit, le, gt: unquoted JSON integers, at least 2 bytes
        if (bytes > IrReader.MAX_BYTES) {
            throw new CompilationException("the model is too large to compile: its IR would hold " + integers
                    + " integers (" + trees.size() + " trees with leaf tables " + width + " wide), at least "
                    + bytes + " bytes; the IR limit is " + IrReader.MAX_BYTES + " bytes");
        }
    }

    /** {@code floor(t · 2^scale)}, exact. */
    static BigInteger floorScaled(double t, int scale) {
        BigDecimal pow = new BigDecimal(BigInteger.ONE.shiftLeft(scale));
        return new BigDecimal(t).multiply(pow).setScale(0, RoundingMode.FLOOR).toBigIntegerExact();
    }

    /**
     * The linear rule, then the smallest larger scale at which no two distinct thresholds of a feature
     * that lie inside its range get the same {@code τ} (outside the range every input is on one side
     * of both, so merging them changes nothing; thresholds that are equal up to {@link #sameThreshold}
     * are not distinct). A requested scale that merges two is an error.
     */
    static int chooseInputScale(Integer requested, List<FeatureRange> ranges, List<TreeSet<Double>> thresholds,
                                List<String> features) throws CompilationException {
        int base = CircuitCompiler.chooseInputScale(requested, ranges);
        for (int s = base; s <= CircuitCompiler.MAX_INPUT_SCALE; s++) {
            String clash = firstClash(s, ranges, thresholds, features);
            if (clash == null) {
                return s;
            }
            if (requested != null) {
                throw new CompilationException("inputScale " + requested + " is too coarse for this model: " + clash
                        + "; use a larger inputScale (or leave it to the compiler)");
            }
        }
        throw new CompilationException("no input scale up to " + CircuitCompiler.MAX_INPUT_SCALE + " separates the thresholds: "
                + firstClash(CircuitCompiler.MAX_INPUT_SCALE, ranges, thresholds, features));
    }

    private static String firstClash(int scale, List<FeatureRange> ranges, List<TreeSet<Double>> thresholds,
                                     List<String> features) {
        for (int f = 0; f < thresholds.size(); f++) {
            FeatureRange r = ranges.get(f);
            BigInteger prev = null;
            double prevT = 0;
            for (double t : thresholds.get(f)) {
                if (t < r.min() || t >= r.max()) {
                    continue;
                }
                BigInteger tau = floorScaled(t, scale);
                if (prev != null && prev.equals(tau) && !sameThreshold(prevT, t)) {
                    return "the thresholds " + prevT + " and " + t + " of feature \"" + features.get(f)
                            + "\" quantize to the same value at scale " + scale;
                }
                prev = tau;
                prevT = t;
            }
        }
        return null;
    }

    /**
     * Thresholds closer than {@value #SAME_THRESHOLD_RELATIVE} relative (e.g. 0.21499999999999997 and
     * 0.21500000000000002: Tribuo's midpoints of the same two training values, computed in another
     * order) count as one: separating them would need an input scale of ~54 bits, and an input
     * between them is within one step of both anyway. They may share one τ.
     */
    static boolean sameThreshold(double a, double b) {
        return Math.abs(a - b) <= SAME_THRESHOLD_RELATIVE * Math.max(1.0, Math.max(Math.abs(a), Math.abs(b)));
    }

    static final double SAME_THRESHOLD_RELATIVE = 1e-9;

    /** {@code s_leaf}: the requested {@code weightScale}, else the largest |leaf value| at about 2^20. */
    private static int chooseLeafScale(Integer requested, List<DecisionTree> trees, boolean classification)
            throws CompilationException {
        if (requested != null) {
            if (requested < 0 || requested > MAX_LEAF_SCALE) {
                throw new CompilationException("weightScale (the leaf scale of a tree model) must be in [0, " + MAX_LEAF_SCALE
                        + "] bits, got " + requested);
            }
            return requested;
        }
        double maxAbs = 0;
        for (DecisionTree t : trees) {
            for (double[] row : t.leafValues()) {
                for (double v : row) {
                    if (!Double.isFinite(v)) {
                        throw new CompilationException("a leaf value is not finite: " + v);
                    }
                    maxAbs = Math.max(maxAbs, Math.abs(v));
                }
            }
        }
        return Math.max(0, Math.min(MAX_LEAF_SCALE, DEFAULT_LEAF_BITS - Quantizer.ceilLog2(maxAbs)));
    }

    /** The constant weights of the weighted sum, one per tree (a member's weight for each of its trees). */
    record WeightChoice(int scale, List<BigInteger> values, boolean exact) {
    }

    /**
     * Classification: Tribuo's member weights themselves (the normalisation by their sum does not
     * change the argmax). Regression: the normalised weights {@code w_m / Σ w} (Tribuo's weighted
     * mean). Exact at the smallest scale where every weight is an integer, if there is one up to
     * {@link #MAX_EXACT_WEIGHT_SCALE} (equal weights, halves, quarters…); else rounded at
     * {@code s_w = 20 − ⌈log2 max w⌉}.
     */
    static WeightChoice chooseWeights(List<Double> treeWeights, double sum, Combiner combiner, boolean classification) {
        int count = treeWeights.size();
        double[] w = new double[count];
        boolean allEqual = treeWeights.stream().distinct().count() == 1;
        for (int k = 0; k < count; k++) {
            double v = treeWeights.get(k);
            if (classification) {
                w[k] = allEqual ? 1.0 : v;
            } else if (combiner == Combiner.SINGLE || combiner == Combiner.SUM) {
                w[k] = combiner == Combiner.SUM ? v : 1.0; // SINGLE: one member, its trees are the output dimensions
            } else {
                w[k] = v / sum;
            }
        }
        if (!classification && combiner != Combiner.SINGLE && combiner != Combiner.SUM && allEqual) {
            // Equal members: the mean is Σ/M; exact when M is a power of two, otherwise rounded below.
            long members = Math.round(1.0 / w[0]);
            if (Long.bitCount(members) == 1 && members * w[0] == 1.0) {
                int scale = Long.numberOfTrailingZeros(members);
                return new WeightChoice(scale, constant(count, BigInteger.ONE), true);
            }
        }
        for (int scale = 0; scale <= MAX_EXACT_WEIGHT_SCALE; scale++) {
            List<BigInteger> q = new ArrayList<>(count);
            boolean exact = true;
            for (double v : w) {
                double scaled = Math.scalb(v, scale);
                if (scaled != Math.rint(scaled)) {
                    exact = false;
                    break;
                }
                q.add(BigInteger.valueOf((long) scaled));
            }
            if (exact) {
                return new WeightChoice(scale, q, true);
            }
        }
        double max = Arrays.stream(w).max().orElse(1);
        int scale = Math.max(0, Math.min(CircuitCompiler.MAX_AUTO_WEIGHT_SCALE, DEFAULT_MEMBER_WEIGHT_BITS - Quantizer.ceilLog2(max)));
        List<BigInteger> q = new ArrayList<>(count);
        for (double v : w) {
            q.add(Quantizer.quantize(v, scale));
        }
        return new WeightChoice(scale, q, false);
    }

    /** Classification combiners that add leaf scores (Tribuo's fully weighted voting, ONNX's SUM) rather than votes. */
    static boolean scoresCombiner(Combiner c) {
        return c == Combiner.FULLY_WEIGHTED_VOTING || c == Combiner.SUM;
    }

    /** Σ of the members' weights (Tribuo's normaliser: each member counts once, whatever its number of trees). */
    private static double memberWeightSum(TreeEnsembleStructure s) {
        double sum = 0;
        for (Member m : s.members()) {
            sum += m.weight();
        }
        return sum;
    }

    private static List<BigInteger> constant(int n, BigInteger v) {
        List<BigInteger> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(v);
        }
        return out;
    }

    /** The leaf table of one tree, flat {@code [L, width]}. */
    private static List<BigInteger> leafValues(DecisionTree t, int width, boolean singleLabelTree, boolean classification,
                                               Combiner combiner, int leafScale) {
        List<BigInteger> out = new ArrayList<>(t.leafCount() * width);
        for (int leaf = 0; leaf < t.leafCount(); leaf++) {
            if (singleLabelTree) {
                out.add(BigInteger.valueOf(t.leafLabel()[leaf]));
            } else if (classification && !scoresCombiner(combiner)) {
                for (int c = 0; c < width; c++) {
                    out.add(c == t.leafLabel()[leaf] ? BigInteger.ONE : BigInteger.ZERO);
                }
            } else if (classification) {
                for (int c = 0; c < width; c++) {
                    out.add(Quantizer.quantize(t.leafValues()[leaf][c], leafScale));
                }
            } else {
                for (int d = 0; d < width; d++) {
                    out.add(d == t.outputDimension() ? Quantizer.quantize(t.leafValues()[leaf][0], leafScale) : BigInteger.ZERO);
                }
            }
        }
        return out;
    }

    /**
     * Regression: a bound on |circuit − Tribuo| per output (real units) wherever no input is within
     * half a step of a split (then every tree reaches the same leaf): per tree,
     * {@code q̃·2^−(s_leaf+1)} (leaf rounding, weighted by the quantized weight {@code q̃ = q/2^s_w})
     * plus {@code |q̃ − ω|·max|leaf|} (weight rounding). Fully weighted voting: the same bound on each
     * class score (the weighted sum before the argmax). Voting with exact weights, or a single tree:
     * null (the votes are exact integers; labels agree wherever no input is within half a step of a split).
     */
    private static Double errorBound(TreeEnsembleStructure s, List<DecisionTree> trees, List<Double> treeWeights,
                                     WeightChoice weights, int leafScale, boolean classification, Combiner combiner,
                                     boolean singleLabelTree, int outputCount) {
        if (singleLabelTree || (classification && !scoresCombiner(combiner) && weights.exact())) {
            return null;
        }
        double sum = memberWeightSum(s);
        boolean allEqual = treeWeights.stream().distinct().count() == 1;
        double halfLeaf = Math.scalb(1.0, -(leafScale + 1));
        double[] perOutput = new double[classification ? 1 : outputCount];
        double[] weightedLeaf = new double[perOutput.length];
        double[] largestLeaf = new double[perOutput.length];
        for (int k = 0; k < trees.size(); k++) {
            DecisionTree t = trees.get(k);
            double q = Math.scalb(weights.values().get(k).doubleValue(), -weights.scale());
            double omega = classification ? (allEqual ? 1.0 : treeWeights.get(k))
                    : combiner == Combiner.SINGLE ? 1.0 : combiner == Combiner.SUM ? treeWeights.get(k) : treeWeights.get(k) / sum;
            double maxLeaf = 0;
            for (double[] row : t.leafValues()) {
                for (double v : row) {
                    maxLeaf = Math.max(maxLeaf, Math.abs(v));
                }
            }
            if (classification && !scoresCombiner(combiner)) {
                maxLeaf = 1; // a vote
                halfLeaf = 0;
            }
            int slot = classification ? 0 : t.outputDimension();
            perOutput[slot] += q * halfLeaf + Math.abs(q - omega) * maxLeaf;
            weightedLeaf[slot] += omega * maxLeaf;
            largestLeaf[slot] = Math.max(largestLeaf[slot], maxLeaf);
        }
        // Tribuo's own arithmetic is in doubles (unit roundoff u = 2^-53) and the bound is against it:
        // its running weighted mean (AveragingCombiner: W += w; mean += (w/W)·(v − mean), 4 roundings
        // a step on values ≤ max|leaf|, plus the rounding of W) is within (M + 8)·M·2u·max|leaf| of the
        // exact mean; its vote or score sums (Σ_m w_m·p_m[j]) within 2(M + 1)·u·Σ_m w_m·max|p_m|.
        // A single regression tree's output is its leaf value, exact. Negligible at the default
        // scales, but a fine leaf scale (weightScale up to 64) makes the quantization part tiny.
        double u = Math.scalb(1.0, -53);
        double members = s.members().size();
        double worst = 0;
        for (int slot = 0; slot < perOutput.length; slot++) {
            double tribuo = classification || combiner == Combiner.SUM ? 2 * (members + 1) * u * weightedLeaf[slot]
                    : combiner == Combiner.SINGLE ? 0 : (members + 8) * members * 2 * u * largestLeaf[slot];
            worst = Math.max(worst, perOutput[slot] + tribuo);
        }
        // The sum above is of positive doubles: round it up (relative error below 2^-30 for any tree count).
        return Math.nextUp(worst * (1 + Math.scalb(1.0, -30)));
    }

    private static ObjectNode metadata(int inputScale, int weightScale, int leafScale, int outputScale,
                                       CircuitCompiler.RangeChoice ranges, List<String> features, Double errorBound,
                                       int thresholdCount, Combiner combiner, QuantizationSettings settings,
                                       List<TreeSet<Double>> thresholds, int scale) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode q = f.objectNode();
        q.put("rounding", Quantizer.ROUNDING);
        q.put("thresholdRounding", "floor");
        q.put("inputScale", inputScale);
        q.put("weightScale", weightScale);
        q.put("leafScale", leafScale);
        q.put("outputScale", outputScale);
        q.put("combiner", combiner.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        q.put("thresholds", thresholdCount);
        q.put("rangeSource", ranges.source());
        CircuitCompiler.putInputRanges(q, ranges, features);
        if (errorBound != null) {
            q.put("errorBound", Double.toString(errorBound));
        }
        if (settings.sampleInputs() != null && !settings.sampleInputs().isEmpty()) {
            ObjectNode near = q.putObject("samplesNearSplit");
            near.put("samples", settings.sampleInputs().size());
            near.put("withinOneStep", nearSplit(settings.sampleInputs(), thresholds, scale));
        }
        return q;
    }

    /** How many sample rows have some feature within one quantization step of one of its thresholds. */
    static int nearSplit(List<double[]> samples, List<TreeSet<Double>> thresholds, int scale) {
        double step = Math.scalb(1.0, -scale);
        int count = 0;
        for (double[] row : samples) {
            for (int f = 0; f < thresholds.size() && f < row.length; f++) {
                Double below = thresholds.get(f).floor(row[f]);
                Double above = thresholds.get(f).ceiling(row[f]);
                if ((below != null && row[f] - below <= step) || (above != null && above - row[f] <= step)) {
                    count++;
                    break;
                }
            }
        }
        return count;
    }
}
