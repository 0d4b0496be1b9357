package io.zkml.compiler;

import io.zkml.compiler.model.DecisionTree;
import io.zkml.compiler.model.TreeEnsembleStructure;
import io.zkml.compiler.model.TreeEnsembleStructure.Combiner;
import io.zkml.compiler.model.TreeEnsembleStructure.Member;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TreeCompiler on hand-made trees: the error bound, overflow and size limits. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TreeCompilerEdgeTest {

    static final List<FeatureRange> UNIT = List.of(new FeatureRange(-1, 1));

    /** A regression stump on feature 0 for dimension d: x ≤ t → a, x > t → b. */
    static DecisionTree stump(double t, double a, double b, int d) {
        return new DecisionTree(new int[]{0}, new double[]{t}, new int[]{-1}, new int[]{-2},
                new double[][]{{a}, {b}}, null, d);
    }

    static DecisionTree regressionLeaf(double v, int d) {
        return new DecisionTree(new int[0], new double[0], new int[0], new int[0], new double[][]{{v}}, null, d);
    }

    static FixedTreeModel regression(List<Member> members, Combiner c, int dims) {
        List<String> outs = new ArrayList<>();
        for (int d = 0; d < dims; d++) {
            outs.add("y" + d);
        }
        return new FixedTreeModel(Task.REGRESSION, List.of("x"), outs, new TreeEnsembleStructure(members, c), UNIT);
    }

    /** |circuit − Tribuo| for output j, exactly (the circuit's integer output at its scale, Tribuo's double). */
    static BigDecimal exactError(CompiledCircuit cc, FixedTreeModel m, double[] x, int j) throws Exception {
        List<BigInteger> q = cc.evaluate(cc.quantizeInput(x));
        int scale = cc.ir().outputTensors().getFirst().scale();
        BigDecimal circuit = new BigDecimal(q.get(j)).divide(new BigDecimal(BigInteger.ONE.shiftLeft(scale)));
        return circuit.subtract(new BigDecimal(m.trees().predict(x).values()[j])).abs();
    }

    @Test
    void the_regression_error_bound_covers_tribuos_floating_point_mean_at_a_fine_leaf_scale() throws Exception {
        // Two equal members (exact weights 1/2); leaves 0.1 and 0.2 are exact at leaf scale 64, so the
        // quantization error is 0 and the bound is 2^-65, but Tribuo's running mean
        // 0.1 + (1/2)·(0.2 − 0.1) rounds (1.5 · 0.1 needs 54 bits) by ~1.4e-17.
        FixedTreeModel m = regression(List.of(
                new Member(1.0, List.of(stump(0.0, 0.1, 0.3, 0))),
                new Member(1.0, List.of(stump(0.0, 0.2, 0.3, 0)))), Combiner.AVERAGING, 1);
        CompiledCircuit cc = CircuitCompiler.compile(m, "fine", null,
                QuantizationSettings.defaults().withInputRanges(UNIT).withScales(null, 64));
        double bound = cc.quantization().errorBound();
        for (double x : new double[]{-0.75, 0.75}) {
            BigDecimal err = exactError(cc, m, new double[]{x}, 0);
            assertThat(err).as("x = %s: |circuit − Tribuo| = %s, bound %s", x, err, bound)
                    .isLessThanOrEqualTo(new BigDecimal(bound));
        }
    }

    @Test
    void a_threshold_far_outside_the_range_is_a_constant_comparison_not_a_crash() throws Exception {
        // floor(1e300 · 2^s) has ~1000 bits, beyond the field limit |v| < 2^248; every input in
        // [-1, 1] is below it (and above -1e300), so those comparisons are constants.
        DecisionTree t = new DecisionTree(new int[]{0, 0, 0}, new double[]{0.25, 1e300, -1e300},
                new int[]{1, -1, -3}, new int[]{2, -2, -4}, new double[][]{{1}, {2}, {3}, {4}}, null, 0);
        FixedTreeModel m = regression(List.of(new Member(1.0, List.of(t))), Combiner.SINGLE, 1);
        CompiledCircuit cc = CircuitCompiler.compile(m, "far", null, QuantizationSettings.defaults().withInputRanges(UNIT));
        for (double x : new double[]{-1, -0.5, 0.2, 0.3, 1}) {
            assertThat(cc.predict(new double[]{x}).values().get("y0")).as("x = %s", x)
                    .isEqualTo(m.trees().predict(new double[]{x}).values()[0]);
        }
    }

    @Test
    void an_infinite_threshold_is_a_constant_comparison_not_a_crash() throws Exception {
        // DecisionTree accepts ±∞ (only NaN is refused): x ≤ +∞ and x > −∞ hold for every input.
        DecisionTree t = new DecisionTree(new int[]{0, 0, 0}, new double[]{0.25, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY},
                new int[]{1, -1, -3}, new int[]{2, -2, -4}, new double[][]{{1}, {2}, {3}, {4}}, null, 0);
        FixedTreeModel m = regression(List.of(new Member(1.0, List.of(t))), Combiner.SINGLE, 1);
        CompiledCircuit cc = CircuitCompiler.compile(m, "inf", null, QuantizationSettings.defaults().withInputRanges(UNIT));
        for (double x : new double[]{-1, -0.5, 0.2, 0.3, 1}) {
            assertThat(cc.predict(new double[]{x}).values().get("y0")).as("x = %s", x)
                    .isEqualTo(m.trees().predict(new double[]{x}).values()[0]);
        }
    }

    @Test
    void a_leaf_value_beyond_the_field_limit_is_an_overflow_compilation_error() {
        FixedTreeModel m = regression(List.of(new Member(1.0, List.of(stump(0.0, 1e300, 1, 0)))), Combiner.SINGLE, 1);
        assertThatThrownBy(() -> CircuitCompiler.compile(m, "huge", null, QuantizationSettings.defaults().withInputRanges(UNIT)))
                .isInstanceOf(CompilationException.class).hasMessageContaining("overflow");
    }

    @Test
    @Timeout(60)
    void a_wide_regression_forest_whose_leaf_tables_exceed_the_ir_limit_is_refused_before_it_is_built() {
        // Each tree's leaf table is [L, outputs] (zeros outside its own column): 256 members × 256
        // dimensions of one-leaf trees (no internal node counts against maxTreeNodes) are 65,536
        // tables of 256 values, 16.7 M integers, an IR above the reader's 64 MiB.
        int dims = 256;
        int members = 256;
        List<Member> ms = new ArrayList<>();
        for (int k = 0; k < members; k++) {
            List<DecisionTree> trees = new ArrayList<>();
            for (int d = 0; d < dims; d++) {
                trees.add(k == 0 && d == 0 ? stump(0.0, 1, 2, 0) : regressionLeaf(1 + d, d));
            }
            ms.add(new Member(1.0, trees));
        }
        FixedTreeModel m = regression(ms, Combiner.AVERAGING, dims);
        assertThatThrownBy(() -> CircuitCompiler.compile(m, "wide", null, QuantizationSettings.defaults().withInputRanges(UNIT)))
                .isInstanceOf(CompilationException.class).hasMessageContaining("too large");
    }
}
