package io.zkml.compiler;

import java.util.Map;

/**
 * A dequantized circuit output. Classification: {@code label} is set, {@code values} is null.
 * Regression: {@code label} is null, {@code values} maps each output dimension name to its value
 * (in output order).
 */
public record CircuitOutput(String label, Map<String, Double> values) {
}
