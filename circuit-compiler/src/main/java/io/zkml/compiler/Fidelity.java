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
     * The float prediction in the circuit's terms: for a circuit that ends in an argmax, the label is
     * the circuit's label of the float model's class, i.e. {@code circuit.outputs()[k]} where
     * {@code k} is the index of the float label among {@code modelOutputs}, or, for a score model
     * compiled with {@code "output": "argmax"} (no float label), the index of its largest score
     * (the first on ties, as the circuit). Anything else is returned unchanged.
     *
     * @param modelOutputs the model's outputs in score order ({@link io.zkml.compiler.model.ImportedModel#outputs()})
     */
    public static FloatPrediction asClassifiedBy(FloatPrediction p, java.util.List<String> modelOutputs, CompiledCircuit circuit) {
        if (circuit.task() != Task.CLASSIFICATION || circuit.outputs().size() != modelOutputs.size()) {
            return p;
        }
        int k;
        if (p.label() != null) {
            k = modelOutputs.indexOf(p.label());
        } else {
            if (p.values() == null) {
                return p;
            }
            k = -1;
            double best = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < modelOutputs.size(); j++) {
                Double v = p.values().get(modelOutputs.get(j));
                if (v != null && (k < 0 || v > best)) {
                    best = v;
                    k = j;
                }
            }
        }
        return k < 0 ? p : new FloatPrediction(circuit.outputs().get(k), p.values());
    }

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
