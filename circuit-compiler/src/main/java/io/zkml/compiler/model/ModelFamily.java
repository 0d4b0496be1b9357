package io.zkml.compiler.model;

/** The kind of computation a model performs, independent of the file format it came in. */
public enum ModelFamily {
    /** {@code scores = W · x + b} (then argmax for classification). */
    LINEAR("linear"),
    /** One decision tree (or, for multi-output regression, one tree per output dimension). */
    TREE("tree"),
    /** A weighted ensemble of trees with a combiner (voting, averaging). */
    ENSEMBLE("ensemble"),
    /** A feed-forward network: dense layers with ReLU between them (then argmax for classification). */
    MLP("mlp");

    private final String apiName;

    ModelFamily(String apiName) {
        this.apiName = apiName;
    }

    /** The stable lowercase name the REST API uses. */
    public String apiName() {
        return apiName;
    }
}
