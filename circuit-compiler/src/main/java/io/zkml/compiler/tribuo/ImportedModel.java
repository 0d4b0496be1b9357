package io.zkml.compiler.tribuo;

import io.zkml.compiler.Task;

import java.util.List;

/** A model read from an upload, ready to be quantized. Inputs and outputs are in a fixed order. */
public interface ImportedModel {

    /** Fully-qualified Tribuo class name of the model. */
    String modelClass();

    Task task();

    /** Feature names, in input order (Tribuo's feature id order). */
    List<String> features();

    /** Classification: labels in argmax index order; regression: output dimension names in output order. */
    List<String> outputs();

    /** Float weights {@code [outputs][features]} as Tribuo uses them (a defensive copy). */
    double[][] weights();

    /** Float biases {@code [outputs]}. */
    double[] biases();

    /**
     * The range of every feature seen in training (Tribuo records min and max of each feature), in
     * feature order: the compiler's default input ranges, widened by a margin. A feature Tribuo only
     * saw as categorical values gets the range of those values.
     */
    List<io.zkml.compiler.FeatureRange> trainingRanges();

    /** Tribuo's own float prediction for an input in feature order. */
    FloatPrediction predict(double[] input);
}
