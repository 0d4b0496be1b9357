package io.zkml.compiler.model;

import io.zkml.compiler.FeatureRange;
import io.zkml.compiler.Task;
import io.zkml.compiler.tribuo.FloatPrediction;

import java.util.List;

/**
 * A model read from an upload, independent of its file format, ready to be compiled. Inputs and
 * outputs are in a fixed order: every index in {@link #structure()} refers to these lists.
 *
 * <p>({@link FloatPrediction} still lives in {@code io.zkml.compiler.tribuo} because code outside
 * this package uses it there; it is format-neutral.)
 */
public interface ImportedModel {

    /** The importer's format name, e.g. {@code "tribuo"} ({@link ModelImporter#format()}). */
    String format();

    /** The model's class in its own library (for Tribuo: the fully-qualified class name). */
    String modelClass();

    Task task();

    ModelFamily family();

    /** What the model computes; {@link LinearStructure} for {@link ModelFamily#LINEAR}, else {@link TreeEnsembleStructure}. */
    ModelStructure structure();

    /** Ensemble members; 1 for a single model. */
    int memberCount();

    /** The deepest tree's depth ({@link DecisionTree#depth()}); 0 for a linear model. */
    int maxDepth();

    /** Feature names, in input order. */
    List<String> features();

    /** Classification: labels in label-id (argmax index) order; regression: output dimension names in output order. */
    List<String> outputs();

    /**
     * Linear models only: float weights {@code [outputs][features]} (a defensive copy).
     *
     * @throws UnsupportedOperationException for a model that is not {@link ModelFamily#LINEAR}
     */
    double[][] weights();

    /**
     * Linear models only: float biases {@code [outputs]}.
     *
     * @throws UnsupportedOperationException for a model that is not {@link ModelFamily#LINEAR}
     */
    double[] biases();

    /**
     * The range of every feature seen in training, in feature order (null when some feature has
     * none): the compiler's default input ranges, widened by a margin.
     */
    List<FeatureRange> trainingRanges();

    /** The library's own float prediction for an input in feature order. */
    FloatPrediction predict(double[] input);
}
