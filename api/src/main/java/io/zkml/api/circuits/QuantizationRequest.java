package io.zkml.api.circuits;

import java.util.ArrayList;
import java.util.List;

import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.FeatureRange;
import io.zkml.compiler.QuantizationSettings;

/**
 * Quantization settings as a client sends them; every field is optional (the compiler chooses).
 *
 * @param inputScale fractional bits of the inputs
 * @param weightScale fractional bits of the weights
 * @param inputRanges the allowed real range of every feature, in feature order
 * @param sampleInputs inputs whose observed ranges (widened by a margin) become the input ranges
 *     when {@code inputRanges} is absent
 */
public record QuantizationRequest(Integer inputScale, Integer weightScale, List<Range> inputRanges,
                                  List<List<Double>> sampleInputs) {

    /** One feature's allowed range. */
    public record Range(Double min, Double max) {
    }

    public static QuantizationRequest empty() {
        return new QuantizationRequest(null, null, null, null);
    }

    /**
     * Checks what can be checked without compiling (scales within the compiler's limits; ranges and
     * sample rows against the model's features) and converts.
     *
     * @throws IllegalArgumentException with a message for the client
     */
    public QuantizationSettings toSettings(List<String> features) {
        if (inputScale != null && (inputScale < 0 || inputScale > CircuitCompiler.MAX_INPUT_SCALE)) {
            throw new IllegalArgumentException("inputScale must be in [0, " + CircuitCompiler.MAX_INPUT_SCALE
                    + "] bits, got " + inputScale);
        }
        if (weightScale != null && (weightScale < 0 || weightScale > CircuitCompiler.MAX_WEIGHT_SCALE)) {
            throw new IllegalArgumentException("weightScale must be in [0, " + CircuitCompiler.MAX_WEIGHT_SCALE
                    + "] bits, got " + weightScale);
        }
        int n = features.size();
        List<FeatureRange> ranges = null;
        if (inputRanges != null) {
            if (inputRanges.size() != n) {
                throw new IllegalArgumentException("inputRanges has " + inputRanges.size() + " entries; the model has "
                        + n + " features " + features);
            }
            ranges = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Range r = inputRanges.get(i);
                String where = "inputRanges[" + i + "] (feature \"" + features.get(i) + "\")";
                if (r == null || r.min() == null || r.max() == null) {
                    throw new IllegalArgumentException(where + " needs both min and max");
                }
                if (!Double.isFinite(r.min()) || !Double.isFinite(r.max())) {
                    throw new IllegalArgumentException(where + " must be finite, got [" + r.min() + ", " + r.max() + "]");
                }
                if (r.min() > r.max()) {
                    throw new IllegalArgumentException(where + " has min " + r.min() + " greater than max " + r.max());
                }
                ranges.add(new FeatureRange(r.min(), r.max()));
            }
        }
        List<double[]> samples = null;
        if (sampleInputs != null) {
            samples = new ArrayList<>(sampleInputs.size());
            for (int k = 0; k < sampleInputs.size(); k++) {
                List<Double> row = sampleInputs.get(k);
                if (row == null || row.size() != n) {
                    throw new IllegalArgumentException("sampleInputs[" + k + "] has " + (row == null ? 0 : row.size())
                            + " values; the model has " + n + " features " + features);
                }
                double[] values = new double[n];
                for (int i = 0; i < n; i++) {
                    Double v = row.get(i);
                    if (v == null || !Double.isFinite(v)) {
                        throw new IllegalArgumentException("sampleInputs[" + k + "][" + i + "] must be a finite number, got " + v);
                    }
                    values[i] = v;
                }
                samples.add(values);
            }
        }
        return new QuantizationSettings(inputScale, weightScale, ranges, samples);
    }
}
