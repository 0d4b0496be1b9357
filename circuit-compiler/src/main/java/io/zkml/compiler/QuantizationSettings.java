package io.zkml.compiler;

import java.util.List;

/**
 * What the user asks of the quantizer. Every field is nullable: {@code null} lets the compiler
 * choose (see docs/quantization.md and, for networks, docs/onnx-models.md).
 *
 * @param inputScale   fractional bits of the inputs (value = integer / 2^inputScale), or null
 * @param weightScale  fractional bits of the weights, or null
 * @param inputRanges  the allowed real range of every feature, in feature order, or null
 * @param sampleInputs sample inputs (feature order) whose observed ranges, widened by a margin,
 *                     become the input ranges when {@code inputRanges} is null; or null. Networks
 *                     are also calibrated on them.
 * @param target       networks: {@value #TARGET_ACCURACY} (default) or {@value #TARGET_RESOURCES},
 *                     what calibration optimizes
 * @param tolerance    networks, target {@value #TARGET_RESOURCES}: the largest fraction of sample
 *                     labels that may differ from the float model (classification), or the largest
 *                     |error| of an output (regression); null: the default
 */
public record QuantizationSettings(Integer inputScale, Integer weightScale,
                                   List<FeatureRange> inputRanges, List<double[]> sampleInputs,
                                   String target, Double tolerance) {

    public static final String TARGET_ACCURACY = "accuracy";
    public static final String TARGET_RESOURCES = "resources";

    public QuantizationSettings {
        inputRanges = inputRanges == null ? null : List.copyOf(inputRanges);
        sampleInputs = sampleInputs == null ? null : sampleInputs.stream().map(double[]::clone).toList();
        if (target != null && !target.equals(TARGET_ACCURACY) && !target.equals(TARGET_RESOURCES)) {
            throw new IllegalArgumentException("target must be \"accuracy\" or \"resources\", got \"" + target + "\"");
        }
        if (tolerance != null && (!Double.isFinite(tolerance) || tolerance < 0)) {
            throw new IllegalArgumentException("tolerance must be a finite number >= 0, got " + tolerance);
        }
    }

    /** Without a calibration target (the compiler's default). */
    public QuantizationSettings(Integer inputScale, Integer weightScale, List<FeatureRange> inputRanges,
                                List<double[]> sampleInputs) {
        this(inputScale, weightScale, inputRanges, sampleInputs, null, null);
    }

    /** Everything chosen by the compiler. */
    public static QuantizationSettings defaults() {
        return new QuantizationSettings(null, null, null, null);
    }

    public QuantizationSettings withInputRanges(List<FeatureRange> ranges) {
        return new QuantizationSettings(inputScale, weightScale, ranges, sampleInputs, target, tolerance);
    }

    public QuantizationSettings withScales(Integer in, Integer w) {
        return new QuantizationSettings(in, w, inputRanges, sampleInputs, target, tolerance);
    }

    public QuantizationSettings withTarget(String t, Double tol) {
        return new QuantizationSettings(inputScale, weightScale, inputRanges, sampleInputs, t, tol);
    }
}
