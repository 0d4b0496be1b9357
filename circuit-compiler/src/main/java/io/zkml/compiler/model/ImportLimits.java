package io.zkml.compiler.model;

/**
 * Size limits an importer checks on the raw model document, before it builds anything from it, so
 * that an absurd model is refused without being allocated.
 *
 * @param maxTreeDepth       the most internal nodes on any root-to-leaf path of any tree
 *                           (Tribuo's {@code TreeModel.getDepth()}: a single leaf has depth 0)
 * @param maxEnsembleMembers the most members of an ensemble (a single model counts as 1)
 * @param maxTreeNodes       the most internal (split) nodes over all trees of the model together
 */
public record ImportLimits(int maxTreeDepth, int maxEnsembleMembers, int maxTreeNodes) {

    /** Hard ceiling of {@link #maxTreeDepth}: deeper trees are refused whatever the configuration. */
    public static final int DEPTH_CEILING = 256;

    public static final String MAX_TREE_DEPTH = "maxTreeDepth";
    public static final String MAX_ENSEMBLE_MEMBERS = "maxEnsembleMembers";
    public static final String MAX_TREE_NODES = "maxTreeNodes";

    public ImportLimits {
        if (maxTreeDepth < 0 || maxTreeDepth > DEPTH_CEILING) {
            throw new IllegalArgumentException("maxTreeDepth must be in [0, " + DEPTH_CEILING + "], got " + maxTreeDepth);
        }
        if (maxEnsembleMembers < 1) {
            throw new IllegalArgumentException("maxEnsembleMembers must be at least 1, got " + maxEnsembleMembers);
        }
        if (maxTreeNodes < 0) {
            throw new IllegalArgumentException("maxTreeNodes must be at least 0, got " + maxTreeNodes);
        }
    }

    /** Depth 16, 1024 members, 2^20 internal nodes in all. */
    public static ImportLimits defaults() {
        return new ImportLimits(16, 1024, 1 << 20);
    }
}
