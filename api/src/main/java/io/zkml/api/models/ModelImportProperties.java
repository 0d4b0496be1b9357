package io.zkml.api.models;

import org.springframework.boot.context.properties.ConfigurationProperties;

import io.zkml.compiler.model.ImportLimits;

/**
 * Size limits every upload is read within ({@code zkml.models.*}); the importer checks them on the
 * raw document, before it builds the model. Each one left out takes its value from
 * {@link ImportLimits#defaults()} (the compiler's defaults, so that they live in one place).
 * Invalid values stop the service at start-up.
 *
 * @param maxTreeDepth the most internal nodes on any root-to-leaf path of any tree, in
 *     {@code [0, 256]} (default {@code 16})
 * @param maxEnsembleMembers the most members of an ensemble, at least 1; a single model counts as 1
 *     (default {@code 1024})
 * @param maxTreeNodes the most internal (split) nodes over all trees of one model, at least 0
 *     (default {@code 1048576})
 */
@ConfigurationProperties("zkml.models")
public record ModelImportProperties(Integer maxTreeDepth, Integer maxEnsembleMembers, Integer maxTreeNodes) {

    public ModelImportProperties {
        ImportLimits d = ImportLimits.defaults();
        maxTreeDepth = maxTreeDepth == null ? d.maxTreeDepth() : maxTreeDepth;
        maxEnsembleMembers = maxEnsembleMembers == null ? d.maxEnsembleMembers() : maxEnsembleMembers;
        maxTreeNodes = maxTreeNodes == null ? d.maxTreeNodes() : maxTreeNodes;
        if (maxTreeDepth < 0 || maxTreeDepth > ImportLimits.DEPTH_CEILING) {
            throw new IllegalArgumentException("zkml.models.max-tree-depth must be in [0, " + ImportLimits.DEPTH_CEILING
                    + "], got " + maxTreeDepth);
        }
        if (maxEnsembleMembers < 1) {
            throw new IllegalArgumentException("zkml.models.max-ensemble-members must be at least 1, got " + maxEnsembleMembers);
        }
        if (maxTreeNodes < 0) {
            throw new IllegalArgumentException("zkml.models.max-tree-nodes must be at least 0, got " + maxTreeNodes);
        }
    }

    /** The limits as the importers take them. */
    public ImportLimits limits() {
        return new ImportLimits(maxTreeDepth, maxEnsembleMembers, maxTreeNodes);
    }

    /** The property that sets an {@link ImportLimits} component ({@code "maxTreeDepth"} → {@code zkml.models.max-tree-depth}). */
    public static String propertyOf(String limitName) {
        return switch (limitName) {
            case ImportLimits.MAX_TREE_DEPTH -> "zkml.models.max-tree-depth";
            case ImportLimits.MAX_ENSEMBLE_MEMBERS -> "zkml.models.max-ensemble-members";
            case ImportLimits.MAX_TREE_NODES -> "zkml.models.max-tree-nodes";
            default -> null;
        };
    }
}
