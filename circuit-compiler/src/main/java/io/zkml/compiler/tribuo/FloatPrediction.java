package io.zkml.compiler.tribuo;

import java.util.Map;

/**
 * Tribuo's own floating-point prediction. Classification: {@code label} is the predicted label and
 * {@code values} the linear score of every label (may be null). Regression: {@code label} is null
 * and {@code values} maps each output dimension name to its predicted value.
 */
public record FloatPrediction(String label, Map<String, Double> values) {
}
