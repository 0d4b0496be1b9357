package io.zkml.compiler.tribuo;

import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.CircuitOutput;
import io.zkml.compiler.CompilationException;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.FeatureRange;
import io.zkml.compiler.QuantizationSettings;
import io.zkml.compiler.Task;
import io.zkml.compiler.ir.IrOp;
import io.zkml.compiler.ir.ops.SplitBitsOp;
import io.zkml.compiler.ir.ops.TreeOp;
import io.zkml.compiler.model.DecisionTree;
import io.zkml.compiler.model.TreeEnsembleStructure;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.tribuo.Model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every Tribuo tree model of {@link TribuoTreeReaderTest} compiled to IR v2 and evaluated exactly:
 * the circuit's label (or values) must equal Tribuo's float prediction wherever no feature lies
 * within half a quantization step of one of its thresholds (docs/quantization.md, "Trees and
 * forests"), and regression values must lie within the reported error bound.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TreeCompilationTest {

    static final List<FeatureRange> RANGES = List.of(new FeatureRange(-4, 4), new FeatureRange(-4, 4), new FeatureRange(-4, 4));

    @BeforeAll
    static void train() {
        if (TribuoTreeReaderTest.MODELS.isEmpty()) {
            TribuoTreeReaderTest.train();
        }
    }

    static CompiledCircuit compile(Model<?> m, String name) throws Exception {
        ImportedModel imported = TribuoTreeReaderTest.read(m);
        return CircuitCompiler.compile(imported, name, null, QuantizationSettings.defaults().withInputRanges(RANGES));
    }

    @Test
    void every_tree_model_agrees_with_tribuo_away_from_its_splits() throws Exception {
        long seed = 40;
        for (Map.Entry<String, Model<?>> e : TribuoTreeReaderTest.MODELS.entrySet()) {
            ImportedModel imported = TribuoTreeReaderTest.read(e.getValue());
            TreeEnsembleStructure s = (TreeEnsembleStructure) imported.structure();
            if (s.internalNodeCount() == 0) {
                // AdaBoost on 300 weighted examples with Tribuo's default minChildWeight 5 grows only leaves.
                assertThatThrownBy(() -> CircuitCompiler.compile(imported, "t", null,
                        QuantizationSettings.defaults().withInputRanges(RANGES)))
                        .isInstanceOf(CompilationException.class).hasMessageContaining("no split at all");
                continue;
            }
            CompiledCircuit c = CircuitCompiler.compile(imported, "t", null,
                    QuantizationSettings.defaults().withInputRanges(RANGES));
            double half = Math.scalb(1.0, -(c.quantization().inputScale() + 1));
            int compared = 0;
            int near = 0;
            for (double[] x : TribuoTreeReaderTest.inputs(s, seed++)) {
                clamp(x);
                if (nearSplit(s, x, half)) {
                    near++;
                    continue;
                }
                compared++;
                FloatPrediction f = imported.predict(x);
                CircuitOutput out = c.predict(x);
                if (imported.task() == Task.CLASSIFICATION) {
                    assertThat(out.label()).as("%s at %s", e.getKey(), java.util.Arrays.toString(x)).isEqualTo(f.label());
                } else {
                    double bound = c.quantization().errorBound() + 1e-9;
                    for (Map.Entry<String, Double> v : out.values().entrySet()) {
                        assertThat(Math.abs(v.getValue() - f.values().get(v.getKey())))
                                .as("%s, output %s at %s", e.getKey(), v.getKey(), java.util.Arrays.toString(x))
                                .isLessThanOrEqualTo(bound);
                    }
                }
            }
            assertThat(compared).as(e.getKey()).isGreaterThan(250);
            assertThat(near).as(e.getKey() + ": the inputs on a threshold are near a split").isPositive();
        }
    }

    /**
     * On the quantization grid ({@code x = q / 2^s} exactly) {@code q > floor(t · 2^s)} is exactly
     * Tribuo's {@code x > t}, so the circuit must agree even at the two grid points around every
     * threshold, where rounding the threshold any other way (e.g. ceil) would take the other branch.
     */
    @Test
    void on_the_grid_points_around_every_threshold_the_circuit_agrees_with_tribuo_exactly() throws Exception {
        int models = 0;
        for (Map.Entry<String, Model<?>> e : TribuoTreeReaderTest.MODELS.entrySet()) {
            ImportedModel imported = TribuoTreeReaderTest.read(e.getValue());
            TreeEnsembleStructure s = (TreeEnsembleStructure) imported.structure();
            if (s.internalNodeCount() == 0) {
                continue; // refused, see every_tree_model_agrees_with_tribuo_away_from_its_splits
            }
            CompiledCircuit c = compile(e.getValue(), "t");
            int scale = c.quantization().inputScale();
            SplittableRandom r = new SplittableRandom(41);
            int compared = 0;
            for (TreeEnsembleStructure.Member m : s.members()) {
                for (DecisionTree t : m.trees()) {
                    for (int i = 0; i < t.internalNodes(); i++) {
                        double below = Math.scalb(Math.floor(Math.scalb(t.threshold()[i], scale)), -scale);
                        for (double v : new double[]{below, below + Math.scalb(1.0, -scale)}) {
                            if (v < RANGES.get(t.feature()[i]).min() || v > RANGES.get(t.feature()[i]).max()) {
                                continue;
                            }
                            double[] x = new double[3];
                            for (int f = 0; f < 3; f++) {
                                x[f] = Math.scalb((double) r.nextLong(-3L << scale, 3L << scale), -scale);
                            }
                            x[t.feature()[i]] = v;
                            FloatPrediction fp = imported.predict(x);
                            CircuitOutput out = c.predict(x);
                            if (imported.task() == Task.CLASSIFICATION) {
                                assertThat(out.label()).as("%s at %s", e.getKey(), java.util.Arrays.toString(x)).isEqualTo(fp.label());
                            } else {
                                for (Map.Entry<String, Double> o : out.values().entrySet()) {
                                    assertThat(Math.abs(o.getValue() - fp.values().get(o.getKey())))
                                            .as("%s, output %s at %s", e.getKey(), o.getKey(), java.util.Arrays.toString(x))
                                            .isLessThanOrEqualTo(c.quantization().errorBound() + 1e-9);
                                }
                            }
                            compared++;
                        }
                    }
                }
            }
            assertThat(compared).as(e.getKey()).isPositive();
            models++;
        }
        assertThat(models).as("tree models with at least one split").isGreaterThanOrEqualTo(TribuoTreeReaderTest.MODELS.size() - 1);
    }

    @Test
    void inputs_drawn_from_the_ranges_agree_at_least_99_5_percent_including_near_splits() throws Exception {
        for (Map.Entry<String, Model<?>> e : TribuoTreeReaderTest.MODELS.entrySet()) {
            if (!(e.getValue().getOutputIDInfo().getDomain().iterator().next() instanceof org.tribuo.classification.Label)) {
                continue;
            }
            ImportedModel imported = TribuoTreeReaderTest.read(e.getValue());
            if (((TreeEnsembleStructure) imported.structure()).internalNodeCount() == 0) {
                continue; // a constant model: refused (see above)
            }
            CompiledCircuit c;
            try {
                c = compile(e.getValue(), "t");
            } catch (CompilationException ex) {
                throw new AssertionError(e.getKey() + ": " + ex.getMessage(), ex);
            }
            SplittableRandom r = new SplittableRandom(7);
            int agree = 0;
            int n = 4000;
            for (int k = 0; k < n; k++) {
                double[] x = {r.nextDouble(-3, 3), r.nextDouble(-3, 3), r.nextDouble(-3, 3)};
                if (c.predict(x).label().equals(imported.predict(x).label())) {
                    agree++;
                }
            }
            assertThat(agree / (double) n).as(e.getKey()).isGreaterThanOrEqualTo(0.995);
        }
    }

    @Test
    void a_single_tree_outputs_the_label_and_a_forest_counts_votes() throws Exception {
        CompiledCircuit tree = compile(TribuoTreeReaderTest.cart, "cart");
        assertThat(tree.ir().ops()).extracting(IrOp::op).containsExactly("split_bits", "tree");
        assertThat(tree.ir().outputs()).containsExactly("label");
        CompiledCircuit forest = compile(TribuoTreeReaderTest.forest, "forest");
        List<String> ops = forest.ir().ops().stream().map(IrOp::op).toList();
        assertThat(ops.getFirst()).isEqualTo("split_bits");
        assertThat(ops.subList(1, 8)).containsOnly("tree");
        assertThat(ops.subList(8, ops.size())).containsExactly("weighted_sum", "argmax");
        // Equal member weights are exact: every vote counts 1 at scale 0.
        assertThat(forest.ir().requireTensor("member_weights").values()).containsOnly(java.math.BigInteger.ONE);
        assertThat(forest.quantization().errorBound()).isNull();
        // One comparison per distinct (feature, threshold) of the whole forest.
        SplitBitsOp split = (SplitBitsOp) forest.ir().ops().getFirst();
        long distinct = ((TreeEnsembleStructure) TribuoTreeReaderTest.read(TribuoTreeReaderTest.forest).structure())
                .members().stream().flatMap(m -> m.trees().stream())
                .flatMap(t -> java.util.stream.IntStream.range(0, t.internalNodes())
                        .mapToObj(i -> t.feature()[i] + ":" + t.threshold()[i])).distinct().count();
        assertThat(split.feature()).hasSize((int) distinct);
        // The IR reads back to the same circuit.
        assertThat(CompiledCircuit.fromIr(forest.irJson()).circuitHash()).isEqualTo(forest.circuitHash());
    }

    @Test
    void the_report_says_how_the_trees_were_quantized_and_how_many_samples_lie_near_a_split() throws Exception {
        ImportedModel imported = TribuoTreeReaderTest.read(TribuoTreeReaderTest.forest);
        TreeEnsembleStructure s = (TreeEnsembleStructure) imported.structure();
        DecisionTree first = s.members().getFirst().trees().getFirst();
        double t = first.threshold()[0];
        int f = first.feature()[0];
        double[] on = {0.5, 0.5, 0.5};
        on[f] = t; // exactly on a split
        double[] far = {0.5, 0.5, 0.5};
        far[f] = t + 0.5;
        List<double[]> samples = List.of(on, far.clone(), far.clone());
        CompiledCircuit c = CircuitCompiler.compile(imported, "forest", null, new QuantizationSettings(null, null, RANGES, samples));
        var trees = c.quantization().trees();
        assertThat(trees).isNotNull();
        assertThat(trees.combiner()).isEqualTo("voting");
        assertThat(trees.leafScale()).isZero();
        assertThat(trees.thresholdRounding()).isEqualTo("floor");
        assertThat(trees.thresholds()).isEqualTo(((SplitBitsOp) c.ir().ops().getFirst()).feature().size());
        assertThat(trees.samples()).isEqualTo(3);
        // The row on the split counts; the others may or may not be near another split of the forest.
        boolean farNear = nearSplit(s, far, Math.scalb(1.0, -c.quantization().inputScale()));
        assertThat(trees.samplesNearSplit()).isEqualTo(farNear ? 3 : 1);
        // Without samples there is nothing to count; a linear model has no tree section.
        assertThat(compile(TribuoTreeReaderTest.forest, "f").quantization().trees().samples()).isNull();
        assertThat(CircuitCompiler.compile(TribuoModelReader.read(TribuoFixtures.protobufBytes(TribuoFixtures.logisticModel())),
                "linear", null, QuantizationSettings.defaults().withInputRanges(RANGES)).quantization().trees()).isNull();
    }

    @Test
    void sample_rows_are_checked_even_when_the_ranges_are_declared() throws Exception {
        // With declared ranges the samples only feed samplesNearSplit, which skipped the missing
        // features of a short row and every comparison with NaN: a wrong count in the IR metadata.
        ImportedModel imported = TribuoTreeReaderTest.read(TribuoTreeReaderTest.forest);
        assertThatThrownBy(() -> CircuitCompiler.compile(imported, "f", null,
                new QuantizationSettings(null, null, RANGES, List.of(new double[]{0.5}))))
                .isInstanceOf(CompilationException.class).hasMessage("sampleInputs[0] has 1 values; the model has 3 features");
        assertThatThrownBy(() -> CircuitCompiler.compile(imported, "f", null,
                new QuantizationSettings(null, null, RANGES, List.of(new double[]{0, 0, 0}, new double[]{0, Double.NaN, 0}))))
                .isInstanceOf(CompilationException.class).hasMessage("sampleInputs[1][1] is not finite: NaN");
    }

    @Test
    void the_input_scale_keeps_distinct_thresholds_apart() throws Exception {
        CompiledCircuit c = compile(TribuoTreeReaderTest.forest, "forest");
        SplitBitsOp split = (SplitBitsOp) c.ir().ops().getFirst();
        List<java.math.BigInteger> taus = c.ir().requireTensor(split.thresholds()).values();
        for (int k = 1; k < taus.size(); k++) {
            if (split.feature().get(k).equals(split.feature().get(k - 1))) {
                assertThat(taus.get(k)).isGreaterThan(taus.get(k - 1));
            }
        }
        // Scale 0 merges thresholds within one unit: refused, naming the feature.
        ImportedModel imported = TribuoTreeReaderTest.read(TribuoTreeReaderTest.forest);
        assertThatThrownBy(() -> CircuitCompiler.compile(imported, "f", null,
                new QuantizationSettings(0, null, RANGES, null)))
                .isInstanceOf(CompilationException.class)
                .hasMessageContaining("inputScale 0 is too coarse").hasMessageContaining("quantize to the same value");
    }

    @Test
    void the_leaves_reached_by_the_ir_are_the_leaves_tribuo_reaches() throws Exception {
        ImportedModel imported = TribuoTreeReaderTest.read(TribuoTreeReaderTest.cart);
        CompiledCircuit c = compile(TribuoTreeReaderTest.cart, "cart");
        DecisionTree t = ((TreeEnsembleStructure) imported.structure()).members().getFirst().trees().getFirst();
        TreeOp op = (TreeOp) c.ir().ops().get(1);
        assertThat(op.le()).containsExactlyElementsOf(java.util.Arrays.stream(t.le()).boxed().toList());
        assertThat(op.gt()).containsExactlyElementsOf(java.util.Arrays.stream(t.gt()).boxed().toList());
        assertThat(c.ir().requireTensor(op.leaves()).values()).extracting(java.math.BigInteger::intValueExact)
                .containsExactlyElementsOf(java.util.Arrays.stream(t.leafLabel()).boxed().toList());
    }

    private static void clamp(double[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.max(RANGES.get(i).min(), Math.min(RANGES.get(i).max(), x[i]));
        }
    }

    private static boolean nearSplit(TreeEnsembleStructure s, double[] x, double half) {
        for (TreeEnsembleStructure.Member m : s.members()) {
            for (DecisionTree t : m.trees()) {
                for (int i = 0; i < t.internalNodes(); i++) {
                    if (Math.abs(x[t.feature()[i]] - t.threshold()[i]) <= half) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    static List<double[]> copy(List<double[]> xs) {
        List<double[]> out = new ArrayList<>();
        xs.forEach(x -> out.add(x.clone()));
        return out;
    }
}
