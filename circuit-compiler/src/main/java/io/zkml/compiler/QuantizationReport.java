package io.zkml.compiler;

import java.math.BigInteger;
import java.util.List;

/**
 * How a circuit was quantized (JSON-friendly; docs/quantization.md explains every number).
 *
 * @param inputScale  fractional bits of the input tensor: input integer = round(x · 2^inputScale)
 * @param weightScale fractional bits of the weights
 * @param outputScale scale of the numeric output: regression outputs (= inputScale); classification:
 *                    the scale of the score accumulator the argmax reads (= inputScale + weightScale)
 * @param rounding    the rounding rule used for inputs, weights and biases ({@value Quantizer#ROUNDING})
 * @param rangeSource where the input ranges came from: {@code declared}, {@code samples}, or
 *                    {@code ir} (read back from an IR without compiler metadata)
 * @param inputs      per feature: the allowed real range and the integer range of the input tensor
 * @param errorBound  an upper bound on |circuit output − (b + W·x)| of every regression output (or of
 *                    every classification score), in real units, for every input in the ranges, where
 *                    {@code b + W·x} is the model's exact real output (Tribuo's own double rounding
 *                    comes on top); null when unknown (IR without compiler metadata)
 */
public record QuantizationReport(int inputScale, int weightScale, int outputScale, String rounding,
                                 String rangeSource, List<InputRange> inputs, Double errorBound) {

    public QuantizationReport {
        inputs = List.copyOf(inputs);
    }

    /** One feature's real range {@code [min, max]} and its integer range {@code [lo, hi]}. */
    public record InputRange(String feature, double min, double max, BigInteger lo, BigInteger hi) {
    }
}
