package io.zkml.compiler;

import java.util.List;

/**
 * What the user asks of the quantizer. Every field is nullable: {@code null} lets the compiler
 * choose (see docs/quantization.md).
 *
 * @param inputScale   fractional bits of the inputs (value = integer / 2^inputScale), or null
 * @param weightScale  fractional bits of the weights, or null
 * @param inputRanges  the allowed real range of every feature, in feature order, or null
 * @param sampleInputs sample inputs (feature order) whose observed ranges, widened by a margin,
 *                     become the input ranges when {@code inputRanges} is null; or null
 */
public record QuantizationSettings(Integer inputScale, Integer weightScale,
                                   List<FeatureRange> inputRanges, List<double[]> sampleInputs) {

    public QuantizationSettings {
        inputRanges = inputRanges == null ? null : List.copyOf(inputRanges);
        sampleInputs = sampleInputs == null ? null : sampleInputs.stream().map(double[]::clone).toList();
    }

    /** Everything chosen by the compiler. */
    public static QuantizationSettings defaults() {
        return new QuantizationSettings(null, null, null, null);
    }

    public QuantizationSettings withInputRanges(List<FeatureRange> ranges) {
        return new QuantizationSettings(inputScale, weightScale, ranges, sampleInputs);
    }

    public QuantizationSettings withScales(Integer in, Integer w) {
        return new QuantizationSettings(in, w, inputRanges, sampleInputs);
    }
}
