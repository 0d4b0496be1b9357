package io.zkml.compiler.tribuo;

import java.util.Map;

/**
 * Tribuo's own floating-point prediction. Classification: {@code label} is the predicted label and
 * {@code values} the score Tribuo reports for every label, in label index order (softmax
 * probabilities for log-loss models, raw linear scores for hinge models; may be null).
 * Regression: {@code label} is null and {@code values} maps each output dimension name to its
 * predicted value, in output order.
 */
public record FloatPrediction(String label, Map<String, Double> values) {
}
