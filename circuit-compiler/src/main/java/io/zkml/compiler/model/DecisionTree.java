package io.zkml.compiler.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * One binary decision tree in the node encoding of the IR {@code tree} op (docs/ir-format.md).
 *
 * <p>There are {@code N = feature.length} internal nodes; node 0 is the root. A child
 * {@code c ≥ 0} is the internal node {@code c} (always greater than its parent's index); a child
 * {@code c < 0} is the leaf {@code −c − 1}. {@code N = 0} is a tree of a single leaf; otherwise there
 * are {@code N + 1} leaves and every node but the root is the child of exactly one node.
 *
 * <p>Internal node {@code i} sends an input {@code x} to {@code gt[i]} when
 * {@code x[feature[i]] > threshold[i]} and to {@code le[i]} otherwise (Tribuo's
 * {@code SplitNode.getNextNode}: {@code feature > splitValue ? greaterThan : lessThanOrEqual}; a
 * feature absent from the example reads as 0.0, {@code SparseVector.get}).
 *
 * @param feature         {@code [N]} input index tested by each internal node
 * @param threshold       {@code [N]} split value of each internal node
 * @param le              {@code [N]} child taken when {@code x[feature] ≤ threshold}
 * @param gt              {@code [N]} child taken when {@code x[feature] > threshold}
 * @param leafValues      {@code [L][k]} classification: the leaf's per-label scores in label-id order
 *                        ({@code k} = number of labels); regression: {@code [value]} ({@code k = 1})
 * @param leafLabel       {@code [L]} classification: the label id the leaf predicts (what Tribuo
 *                        outputs there); {@code null} for regression
 * @param outputDimension regression: the output dimension id this tree predicts; −1 for classification
 */
public record DecisionTree(int[] feature, double[] threshold, int[] le, int[] gt,
                           double[][] leafValues, int[] leafLabel, int outputDimension) {

    public DecisionTree {
        Objects.requireNonNull(feature, "feature");
        Objects.requireNonNull(threshold, "threshold");
        Objects.requireNonNull(le, "le");
        Objects.requireNonNull(gt, "gt");
        Objects.requireNonNull(leafValues, "leafValues");
        int n = feature.length;
        if (threshold.length != n || le.length != n || gt.length != n) {
            throw new IllegalArgumentException("feature, threshold, le and gt must have the same length");
        }
        int leaves = n + 1;
        if (leafValues.length != leaves) {
            throw new IllegalArgumentException(n + " internal nodes need " + leaves + " leaves, got " + leafValues.length);
        }
        feature = feature.clone();
        threshold = threshold.clone();
        le = le.clone();
        gt = gt.clone();
        leafValues = copy(leafValues);
        leafLabel = leafLabel == null ? null : leafLabel.clone();
        boolean classification = outputDimension == -1;
        if (outputDimension < -1) {
            throw new IllegalArgumentException("outputDimension must be -1 (classification) or a dimension id, got " + outputDimension);
        }
        if (classification != (leafLabel != null)) {
            throw new IllegalArgumentException(classification
                    ? "a classification tree (outputDimension -1) needs leaf labels"
                    : "a regression tree has no leaf labels");
        }
        int k = leafValues[0].length;
        if (!classification && k != 1) {
            throw new IllegalArgumentException("a regression leaf holds exactly one value, got " + k);
        }
        if (k < 1) {
            throw new IllegalArgumentException("leaves hold no values");
        }
        if (classification && leafLabel.length != leaves) {
            throw new IllegalArgumentException(leaves + " leaves need " + leaves + " labels, got " + leafLabel.length);
        }
        for (int l = 0; l < leaves; l++) {
            if (leafValues[l].length != k) {
                throw new IllegalArgumentException("leaf " + l + " holds " + leafValues[l].length + " values, leaf 0 holds " + k);
            }
            for (double v : leafValues[l]) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("leaf " + l + " holds a non-finite value " + v);
                }
            }
            if (classification && (leafLabel[l] < 0 || leafLabel[l] >= k)) {
                throw new IllegalArgumentException("leaf " + l + " predicts label " + leafLabel[l] + " of " + k);
            }
        }
        boolean[] nodeSeen = new boolean[n];
        boolean[] leafSeen = new boolean[leaves];
        for (int i = 0; i < n; i++) {
            if (feature[i] < 0) {
                throw new IllegalArgumentException("node " + i + " tests feature " + feature[i]);
            }
            if (Double.isNaN(threshold[i])) {
                throw new IllegalArgumentException("node " + i + " has a NaN threshold");
            }
            for (int c : new int[]{le[i], gt[i]}) {
                if (c >= 0) {
                    if (c <= i || c >= n || nodeSeen[c]) {
                        throw new IllegalArgumentException("node " + i + " has an invalid child node " + c);
                    }
                    nodeSeen[c] = true;
                } else {
                    int l = -c - 1;
                    if (l >= leaves || leafSeen[l]) {
                        throw new IllegalArgumentException("node " + i + " has an invalid child leaf " + l);
                    }
                    leafSeen[l] = true;
                }
            }
        }
        // n internal nodes have 2n child slots for n - 1 non-root nodes and n + 1 leaves, each seen
        // at most once above: so all are seen exactly once.
    }

    /** Number of internal nodes. */
    public int internalNodes() {
        return feature.length;
    }

    /** Number of leaves. */
    public int leafCount() {
        return leafValues.length;
    }

    /** The most internal nodes on a root-to-leaf path (Tribuo's {@code TreeModel.getDepth()}; a leaf alone: 0). */
    public int depth() {
        int n = feature.length;
        int[] d = new int[n];
        int max = 0;
        for (int i = 0; i < n; i++) {
            if (i == 0) {
                d[0] = 1;
            }
            max = Math.max(max, d[i]);
            if (le[i] >= 0) {
                d[le[i]] = d[i] + 1;
            }
            if (gt[i] >= 0) {
                d[gt[i]] = d[i] + 1;
            }
        }
        return max;
    }

    /** The leaf reached by {@code x} (indexed by feature position), in pure double arithmetic. */
    public int leaf(double[] x) {
        if (feature.length == 0) {
            return 0;
        }
        int i = 0;
        while (true) {
            int c = x[feature[i]] > threshold[i] ? gt[i] : le[i];
            if (c < 0) {
                return -c - 1;
            }
            i = c;
        }
    }

    @Override
    public int[] feature() {
        return feature.clone();
    }

    @Override
    public double[] threshold() {
        return threshold.clone();
    }

    @Override
    public int[] le() {
        return le.clone();
    }

    @Override
    public int[] gt() {
        return gt.clone();
    }

    @Override
    public double[][] leafValues() {
        return copy(leafValues);
    }

    @Override
    public int[] leafLabel() {
        return leafLabel == null ? null : leafLabel.clone();
    }

    /** Leaf values without a copy, for the ensemble's prediction loop. */
    double[] valuesAt(int leaf) {
        return leafValues[leaf];
    }

    int labelAt(int leaf) {
        return leafLabel[leaf];
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = Objects.requireNonNull(a[i], "leaf values").clone();
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecisionTree t && outputDimension == t.outputDimension
                && Arrays.equals(feature, t.feature) && Arrays.equals(threshold, t.threshold)
                && Arrays.equals(le, t.le) && Arrays.equals(gt, t.gt)
                && Arrays.deepEquals(leafValues, t.leafValues) && Arrays.equals(leafLabel, t.leafLabel);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(feature), Arrays.hashCode(threshold), Arrays.hashCode(le),
                Arrays.hashCode(gt), Arrays.deepHashCode(leafValues), Arrays.hashCode(leafLabel), outputDimension);
    }

    @Override
    public String toString() {
        return "DecisionTree[" + feature.length + " internal nodes, depth " + depth()
                + (outputDimension < 0 ? ", classification" : ", dimension " + outputDimension) + "]";
    }
}
