package io.zkml.compiler;

import io.zkml.compiler.tribuo.FloatPrediction;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How close the dequantized circuit output is to Tribuo's float prediction.
 *
 * @param task          which kind of comparison
 * @param floatLabel    classification: Tribuo's label; regression: null
 * @param circuitLabel  classification: the circuit's label; regression: null
 * @param labelsAgree   classification: whether both labels are equal; regression: null
 * @param absoluteErrors regression: |circuit − float| per output dimension (output order); classification: null
 * @param maxAbsoluteError regression: the largest of {@code absoluteErrors}; classification: null
 */
public record Fidelity(Task task, String floatLabel, String circuitLabel, Boolean labelsAgree,
                       Map<String, Double> absoluteErrors, Double maxAbsoluteError) {

    /**
     * Compares a float prediction with a circuit output of the same model. A prediction with a label
     * is compared as a classification, otherwise as a regression (every float dimension must be in
     * the circuit output).
     */
    public static Fidelity of(FloatPrediction floatPrediction, CircuitOutput circuitOutput) {
        if (floatPrediction.label() != null) {
            if (circuitOutput.label() == null) {
                throw new IllegalArgumentException("float prediction is a classification, circuit output is not");
            }
            return new Fidelity(Task.CLASSIFICATION, floatPrediction.label(), circuitOutput.label(),
                    floatPrediction.label().equals(circuitOutput.label()), null, null);
        }
        if (circuitOutput.values() == null || floatPrediction.values() == null) {
            throw new IllegalArgumentException("float prediction is a regression, circuit output has no values");
        }
        Map<String, Double> errors = new LinkedHashMap<>();
        double max = 0;
        for (Map.Entry<String, Double> e : circuitOutput.values().entrySet()) {
            Double f = floatPrediction.values().get(e.getKey());
            if (f == null) {
                throw new IllegalArgumentException("float prediction has no output \"" + e.getKey() + "\"");
            }
            double err = Math.abs(e.getValue() - f);
            errors.put(e.getKey(), err);
            max = Math.max(max, err);
        }
        return new Fidelity(Task.REGRESSION, null, null, null, errors, max);
    }
}
