package io.zkml.compiler;

import com.fasterxml.jackson.annotation.JsonInclude;

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
 *                    comes on top); null when unknown (IR without compiler metadata) or not needed
 *                    (exact votes of a tree model)
 * @param trees       tree models: leaf scale, thresholds, combiner, samples near a split; null otherwise
 */
public record QuantizationReport(int inputScale, int weightScale, int outputScale, String rounding,
                                 String rangeSource, List<InputRange> inputs, Double errorBound,
                                 @JsonInclude(JsonInclude.Include.NON_NULL) Trees trees) {

    public QuantizationReport {
        inputs = List.copyOf(inputs);
    }

    /** A linear model's report (no tree section). */
    public QuantizationReport(int inputScale, int weightScale, int outputScale, String rounding, String rangeSource,
                              List<InputRange> inputs, Double errorBound) {
        this(inputScale, weightScale, outputScale, rounding, rangeSource, inputs, errorBound, null);
    }

    /**
     * How a tree model was quantized (docs/quantization.md, "Trees and forests"); null for linear models.
     *
     * @param leafScale            fractional bits of the leaf values (0: label indices or votes)
     * @param thresholds           distinct (feature, threshold) comparisons of the whole model
     * @param thresholdRounding    {@code floor}: {@code τ = floor(t · 2^inputScale)}
     * @param combiner             {@code single}, {@code voting}, {@code fully-weighted-voting} or {@code averaging}
     * @param samples              sample inputs checked for nearness to a split, or null without samples
     * @param samplesNearSplit     how many of them have some feature within one input step of one of its
     *                             thresholds (the rows whose answer may differ from Tribuo's), or null
     */
    public record Trees(int leafScale, int thresholds, String thresholdRounding, String combiner, Integer samples,
                        Integer samplesNearSplit) {
    }

    /** One feature's real range {@code [min, max]} and its integer range {@code [lo, hi]}. */
    public record InputRange(String feature, double min, double max, BigInteger lo, BigInteger hi) {
    }
}
