package io.zkml.compiler.model;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Decision trees combined into one prediction: a single tree model ({@link Combiner#SINGLE}, one
 * member) or a weighted ensemble. All trees read the same input vector (feature positions of
 * {@link ImportedModel#features()}); labels and dimensions are ids of {@link ImportedModel#outputs()}.
 *
 * <p>{@link #predict(double[])} reproduces Tribuo 4.3's arithmetic operation for operation
 * (double precision, the float member weights widened to double, members in order):
 * <ul>
 *   <li>{@code SINGLE}, classification: the leaf's label ({@code LeafNode.getOutput()}) and the
 *       leaf's scores ({@code LeafNode.getDistribution()}); regression: for each output dimension
 *       {@code d}, the leaf value of the member's tree for {@code d}
 *       ({@code IndependentRegressionTreeModel.predict}/{@code combine}).</li>
 *   <li>{@code VOTING} ({@code org.tribuo.classification.ensemble.VotingCombiner#combine(ImmutableOutputInfo, List, float[])}):
 *       {@code score[label(m)] += w_m}, {@code sum += w_m} over members {@code m};
 *       {@code value[j] = score[j] / sum}.</li>
 *   <li>{@code FULLY_WEIGHTED_VOTING} ({@code FullyWeightedVotingCombiner#combine(…, float[])}):
 *       for every member {@code m} and every label {@code j} in the member's leaf distribution,
 *       {@code c = w_m · p_m[j]}, {@code score[j] += c}, {@code sum += c};
 *       {@code value[j] = score[j] / sum}.</li>
 *   <li>{@code AVERAGING} ({@code org.tribuo.regression.ensemble.AveragingCombiner#combine(…, float[])}):
 *       per dimension, the running weighted mean
 *       {@code W += w_m; mean += (w_m / W) · (v_m − mean)} from {@code mean = 0}.</li>
 * </ul>
 * <b>Tie-breaking</b> (classification ensembles): the predicted label is the first maximum of
 * {@code value[j]} scanning label ids upwards with a strict {@code >} (both voting combiners:
 * {@code if (label.getScore() > maxScore)} over {@code i = 0 … size−1}), so among equal values
 * the lowest label id wins. A single tree's label is whatever its leaf stores; Tribuo's trainer
 * stores the first maximum of the leaf's normalised counts, also lowest id first
 * ({@code ClassifierTrainingNode.createLeaf}).
 *
 * <p>One difference in the last bit is possible for {@code FULLY_WEIGHTED_VOTING}: Tribuo adds
 * up {@code sum} in the iteration order of the leaf's score map, which after
 * {@code Model.deserialize} is a {@code HashMap} (so differs from a freshly trained model, whose
 * map is in label-id order); this class adds in label-id order. Each {@code score[j]} is added in
 * member order in both, and dividing all of them by the same positive {@code sum} keeps their
 * order, so the label can only differ when two labels' totals differ by about one rounding step.
 */
public record TreeEnsembleStructure(List<Member> members, Combiner combiner) implements ModelStructure {

    /** How member predictions are combined. */
    public enum Combiner {
        /** A single model (one member): no combination. */
        SINGLE,
        /** Classification: weighted majority vote of the members' predicted labels. */
        VOTING,
        /** Classification: weighted sum of the members' per-label scores. */
        FULLY_WEIGHTED_VOTING,
        /** Regression: weighted mean of the members' values, per dimension. */
        AVERAGING,
        /**
         * ONNX {@code ai.onnx.ml} tree ensembles (issue 6): the plain weighted sum of the members'
         * leaf values, {@code score[j] = Σ_m w_m·p_m[j]} (classification: the label is the first
         * strict maximum of the scores, no division; regression: {@code y[d] = Σ_m w_m·v_m[d]}).
         * Leaf values may be negative (boosting).
         */
        SUM
    }

    /**
     * One ensemble member: a classification tree ({@code trees.size() == 1}), or one regression
     * tree per output dimension, {@code trees.get(d).outputDimension() == d}.
     *
     * @param weight the member's weight as Tribuo stores it (a float, widened)
     */
    public record Member(double weight, List<DecisionTree> trees) {
        public Member {
            trees = List.copyOf(trees);
            if (trees.isEmpty()) {
                throw new IllegalArgumentException("a member has at least one tree");
            }
            if (!Double.isFinite(weight) || weight <= 0) {
                throw new IllegalArgumentException("a member weight must be finite and positive, got " + weight);
            }
        }
    }

    /** The combined prediction: {@code label} = label id (−1 for regression), {@code values} as described above. */
    public record Result(int label, double[] values) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Result r && label == r.label && Arrays.equals(values, r.values);
        }

        @Override
        public int hashCode() {
            return 31 * label + Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return "Result[label=" + label + ", values=" + Arrays.toString(values) + "]";
        }
    }

    public TreeEnsembleStructure {
        members = List.copyOf(members);
        Objects.requireNonNull(combiner, "combiner");
        if (members.isEmpty()) {
            throw new IllegalArgumentException("no members");
        }
        if (combiner == Combiner.SINGLE && members.size() != 1) {
            throw new IllegalArgumentException("SINGLE has exactly one member, got " + members.size());
        }
        boolean classification = members.get(0).trees().get(0).outputDimension() == -1;
        int outputs = classification ? members.get(0).trees().get(0).leafValues()[0].length : members.get(0).trees().size();
        for (Member m : members) {
            if (classification) {
                if (m.trees().size() != 1 || m.trees().get(0).outputDimension() != -1
                        || m.trees().get(0).valuesAt(0).length != outputs) {
                    throw new IllegalArgumentException("every classification member is one tree over " + outputs + " labels");
                }
            } else {
                if (m.trees().size() != outputs) {
                    throw new IllegalArgumentException("every regression member has one tree per each of " + outputs + " dimensions");
                }
                for (int d = 0; d < outputs; d++) {
                    if (m.trees().get(d).outputDimension() != d) {
                        throw new IllegalArgumentException("regression tree " + d + " of a member predicts dimension "
                                + m.trees().get(d).outputDimension());
                    }
                }
            }
        }
        boolean ok = switch (combiner) {
            case SINGLE -> true;
            case VOTING, FULLY_WEIGHTED_VOTING -> classification;
            case AVERAGING -> !classification;
            case SUM -> true;
        };
        if (!ok) {
            throw new IllegalArgumentException(combiner + " does not apply to " + (classification ? "classification" : "regression"));
        }
    }

    public boolean isClassification() {
        return members.get(0).trees().get(0).outputDimension() == -1;
    }

    /** Number of labels (classification) or output dimensions (regression). */
    public int outputCount() {
        return isClassification() ? members.get(0).trees().get(0).valuesAt(0).length : members.get(0).trees().size();
    }

    /** Number of trees over all members. */
    public int treeCount() {
        return members.stream().mapToInt(m -> m.trees().size()).sum();
    }

    /** Internal nodes over all trees. */
    public long internalNodeCount() {
        return members.stream().flatMap(m -> m.trees().stream()).mapToLong(DecisionTree::internalNodes).sum();
    }

    /** The deepest tree's depth. */
    public int maxDepth() {
        return members.stream().flatMap(m -> m.trees().stream()).mapToInt(DecisionTree::depth).max().orElse(0);
    }

    /** Tribuo's combined prediction in pure double arithmetic (see the class documentation). */
    public Result predict(double[] x) {
        int k = outputCount();
        switch (combiner) {
            case SINGLE -> {
                Member m = members.get(0);
                if (isClassification()) {
                    DecisionTree t = m.trees().get(0);
                    int leaf = t.leaf(x);
                    return new Result(t.labelAt(leaf), t.valuesAt(leaf).clone());
                }
                double[] v = new double[k];
                for (int d = 0; d < k; d++) {
                    DecisionTree t = m.trees().get(d);
                    v[d] = t.valuesAt(t.leaf(x))[0];
                }
                return new Result(-1, v);
            }
            case VOTING -> {
                double sum = 0.0;
                double[] score = new double[k];
                for (Member m : members) {
                    DecisionTree t = m.trees().get(0);
                    score[t.labelAt(t.leaf(x))] += m.weight();
                    sum += m.weight();
                }
                return argmax(score, sum);
            }
            case FULLY_WEIGHTED_VOTING -> {
                double sum = 0.0;
                double[] score = new double[k];
                for (Member m : members) {
                    DecisionTree t = m.trees().get(0);
                    double[] p = t.valuesAt(t.leaf(x));
                    for (int j = 0; j < k; j++) {
                        double c = m.weight() * p[j];
                        sum += c;
                        score[j] += c;
                    }
                }
                return argmax(score, sum);
            }
            case AVERAGING -> {
                double[] mean = new double[k];
                double weightSum = 0.0;
                for (Member m : members) {
                    double w = m.weight();
                    weightSum += w;
                    for (int d = 0; d < k; d++) {
                        DecisionTree t = m.trees().get(d);
                        double value = t.valuesAt(t.leaf(x))[0];
                        double oldMean = mean[d];
                        mean[d] += (w / weightSum) * (value - oldMean);
                    }
                }
                return new Result(-1, mean);
            }
            case SUM -> {
                double[] score = new double[k];
                for (Member m : members) {
                    if (isClassification()) {
                        DecisionTree t = m.trees().get(0);
                        double[] p = t.valuesAt(t.leaf(x));
                        for (int j = 0; j < k; j++) {
                            score[j] += m.weight() * p[j];
                        }
                    } else {
                        for (int d = 0; d < k; d++) {
                            DecisionTree t = m.trees().get(d);
                            score[d] += m.weight() * t.valuesAt(t.leaf(x))[0];
                        }
                    }
                }
                if (!isClassification()) {
                    return new Result(-1, score);
                }
                int best = 0;
                for (int j = 1; j < k; j++) {
                    if (score[j] > score[best]) {
                        best = j;
                    }
                }
                return new Result(best, score);
            }
            default -> throw new IllegalStateException(combiner.toString());
        }
    }

    /** Divides by {@code sum}, then the first strict maximum (lowest label id among equals). */
    private static Result argmax(double[] score, double sum) {
        double max = Double.NEGATIVE_INFINITY;
        int best = -1;
        double[] v = new double[score.length];
        for (int j = 0; j < score.length; j++) {
            v[j] = score[j] / sum;
            if (v[j] > max) {
                max = v[j];
                best = j;
            }
        }
        return new Result(best, v);
    }
}
