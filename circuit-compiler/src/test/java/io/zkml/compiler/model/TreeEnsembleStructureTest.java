package io.zkml.compiler.model;

import io.zkml.compiler.model.TreeEnsembleStructure.Combiner;
import io.zkml.compiler.model.TreeEnsembleStructure.Member;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TreeEnsembleStructureTest {

    /** x0 > 1 ? leaf 2 : (x1 > 0 ? leaf 1 : leaf 0); classification over 2 labels. */
    static DecisionTree stump(int l0, int l1, int l2) {
        return new DecisionTree(new int[]{0, 1}, new double[]{1.0, 0.0}, new int[]{1, -1}, new int[]{-3, -2},
                new double[][]{{1, 0}, {0.25, 0.75}, {0.5, 0.5}}, new int[]{l0, l1, l2}, -1);
    }

    @Test
    void a_threshold_value_goes_to_le_and_depth_counts_splits() {
        DecisionTree t = stump(0, 1, 0);
        assertThat(t.leaf(new double[]{1.0, 5})).isEqualTo(1);
        assertThat(t.leaf(new double[]{Math.nextUp(1.0), 5})).isEqualTo(2);
        assertThat(t.leaf(new double[]{0, 0.0})).isEqualTo(0);
        assertThat(t.leaf(new double[]{0, -0.0})).isEqualTo(0);
        assertThat(t.depth()).isEqualTo(2);
        DecisionTree leaf = new DecisionTree(new int[0], new double[0], new int[0], new int[0], new double[][]{{3.5}}, null, 0);
        assertThat(leaf.depth()).isZero();
        assertThat(leaf.leaf(new double[]{9})).isZero();
    }

    @Test
    void the_ir_encoding_rules_are_enforced() {
        // child not after its parent
        assertThatThrownBy(() -> new DecisionTree(new int[]{0, 0}, new double[]{0, 0}, new int[]{1, 0}, new int[]{-1, -2},
                new double[][]{{1}, {2}, {3}}, null, 0)).isInstanceOf(IllegalArgumentException.class);
        // a leaf used twice
        assertThatThrownBy(() -> new DecisionTree(new int[]{0}, new double[]{0}, new int[]{-1}, new int[]{-1},
                new double[][]{{1}, {2}}, null, 0)).isInstanceOf(IllegalArgumentException.class);
        // leaf count
        assertThatThrownBy(() -> new DecisionTree(new int[]{0}, new double[]{0}, new int[]{-1}, new int[]{-2},
                new double[][]{{1}}, null, 0)).isInstanceOf(IllegalArgumentException.class);
        // NaN threshold, non-finite leaf
        assertThatThrownBy(() -> new DecisionTree(new int[]{0}, new double[]{Double.NaN}, new int[]{-1}, new int[]{-2},
                new double[][]{{1}, {2}}, null, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DecisionTree(new int[]{0}, new double[]{0}, new int[]{-1}, new int[]{-2},
                new double[][]{{1}, {Double.POSITIVE_INFINITY}}, null, 0)).isInstanceOf(IllegalArgumentException.class);
        // labels only for classification
        assertThatThrownBy(() -> new DecisionTree(new int[]{0}, new double[]{0}, new int[]{-1}, new int[]{-2},
                new double[][]{{1}, {2}}, new int[]{0, 0}, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void voting_ties_go_to_the_lowest_label_id() {
        // members 1 and 2 vote label 1 with 0.25 each, member 0 votes label 0 with 0.5: a tie
        var s = new TreeEnsembleStructure(List.of(new Member(0.5, List.of(stump(0, 0, 0))),
                new Member(0.25, List.of(stump(1, 1, 1))), new Member(0.25, List.of(stump(1, 1, 1)))), Combiner.VOTING);
        var r = s.predict(new double[]{0, 0});
        assertThat(r.values()).containsExactly(0.5, 0.5);
        assertThat(r.label()).isZero();
        var flipped = new TreeEnsembleStructure(List.of(new Member(0.5, List.of(stump(1, 1, 1))),
                new Member(0.25, List.of(stump(0, 0, 0))), new Member(0.25, List.of(stump(0, 0, 0)))), Combiner.VOTING);
        assertThat(flipped.predict(new double[]{0, 0}).label()).isZero();
    }

    @Test
    void fully_weighted_voting_sums_weighted_scores_and_normalises() {
        var s = new TreeEnsembleStructure(List.of(new Member(1, List.of(stump(0, 1, 0))), new Member(3, List.of(stump(0, 1, 0)))),
                Combiner.FULLY_WEIGHTED_VOTING);
        var r = s.predict(new double[]{2, 0}); // both at leaf 2: {0.5, 0.5}: a tie
        assertThat(r.values()).containsExactly(0.5, 0.5);
        assertThat(r.label()).isZero();
        assertThat(s.predict(new double[]{0, 1}).label()).isEqualTo(1); // leaf 1: {0.25, 0.75}
    }

    @Test
    void averaging_is_tribuos_running_weighted_mean() {
        DecisionTree a = new DecisionTree(new int[0], new double[0], new int[0], new int[0], new double[][]{{1.0}}, null, 0);
        DecisionTree b = new DecisionTree(new int[0], new double[0], new int[0], new int[0], new double[][]{{4.0}}, null, 0);
        var s = new TreeEnsembleStructure(List.of(new Member(2, List.of(a)), new Member(1, List.of(b))), Combiner.AVERAGING);
        assertThat(s.predict(new double[]{0}).values()).containsExactly(2.0);
        assertThat(s.predict(new double[]{0}).label()).isEqualTo(-1);
    }

    @Test
    void sum_adds_signed_leaf_scores_without_dividing_and_ties_go_to_the_first_label() {
        // ONNX tree ensembles (issue 6b): boosting leaves are signed; FULLY_WEIGHTED_VOTING would divide by their sum
        DecisionTree a = new DecisionTree(new int[]{0}, new double[]{0.0}, new int[]{-1}, new int[]{-2},
                new double[][]{{-1.0, 0.5}, {2.0, -3.0}}, new int[]{1, 0}, -1);
        DecisionTree b = new DecisionTree(new int[0], new double[0], new int[0], new int[0], new double[][]{{-0.5, -2.0}}, new int[]{0}, -1);
        var s = new TreeEnsembleStructure(List.of(new Member(1, List.of(a)), new Member(1, List.of(b))), Combiner.SUM);
        assertThat(s.predict(new double[]{-1}).values()).containsExactly(-1.5, -1.5);
        assertThat(s.predict(new double[]{-1}).label()).as("a tie: the first label").isZero();
        assertThat(s.predict(new double[]{1}).values()).containsExactly(1.5, -5.0);
        DecisionTree r = new DecisionTree(new int[]{0}, new double[]{0.0}, new int[]{-1}, new int[]{-2},
                new double[][]{{-1.0}, {2.0}}, null, 0);
        var reg = new TreeEnsembleStructure(List.of(new Member(1, List.of(r)), new Member(1, List.of(r))), Combiner.SUM);
        assertThat(reg.predict(new double[]{1}).values()).containsExactly(4.0);
        assertThat(reg.predict(new double[]{1}).label()).isEqualTo(-1);
    }

    @Test
    void combiners_must_fit_the_task_and_weights_must_be_positive() {
        DecisionTree r = new DecisionTree(new int[0], new double[0], new int[0], new int[0], new double[][]{{1.0}}, null, 0);
        assertThatThrownBy(() -> new TreeEnsembleStructure(List.of(new Member(1, List.of(r))), Combiner.VOTING))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TreeEnsembleStructure(List.of(new Member(1, List.of(stump(0, 0, 0)))), Combiner.AVERAGING))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Member(0, List.of(r))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Member(Double.NaN, List.of(r))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TreeEnsembleStructure(List.of(new Member(1, List.of(r)), new Member(1, List.of(r))), Combiner.SINGLE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void model_family_api_names() {
        assertThat(ModelFamily.LINEAR.apiName()).isEqualTo("linear");
        assertThat(ModelFamily.TREE.apiName()).isEqualTo("tree");
        assertThat(ModelFamily.ENSEMBLE.apiName()).isEqualTo("ensemble");
    }
}
