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
 * @param network     networks (family mlp): every layer's scales and constraints, and the calibration
 *                    (every candidate tried, why it was or was not chosen); null otherwise
 */
public record QuantizationReport(int inputScale, int weightScale, int outputScale, String rounding,
                                 String rangeSource, List<InputRange> inputs, Double errorBound,
                                 @JsonInclude(JsonInclude.Include.NON_NULL) Trees trees,
                                 @JsonInclude(JsonInclude.Include.NON_NULL) Network network) {

    public QuantizationReport {
        inputs = List.copyOf(inputs);
    }

    /** A linear or tree model's report (no network section). */
    public QuantizationReport(int inputScale, int weightScale, int outputScale, String rounding, String rangeSource,
                              List<InputRange> inputs, Double errorBound, Trees trees) {
        this(inputScale, weightScale, outputScale, rounding, rangeSource, inputs, errorBound, trees, null);
    }

    /** A linear model's report (no tree section). */
    public QuantizationReport(int inputScale, int weightScale, int outputScale, String rounding, String rangeSource,
                              List<InputRange> inputs, Double errorBound) {
        this(inputScale, weightScale, outputScale, rounding, rangeSource, inputs, errorBound, null, null);
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

    /**
     * How a network was quantized (docs/onnx-models.md, "Calibration").
     *
     * @param layers           every dense layer, in order
     * @param inputConstraints the input range checks' constraints (estimated with docs/ir-format.md's formulas)
     * @param constraints      the whole circuit's estimated constraints (gnark's count is the circuit's)
     * @param calibration      the candidates tried and the choice
     */
    public record Network(List<NetworkLayer> layers, long inputConstraints, long constraints, Calibration calibration) {
        public Network {
            layers = List.copyOf(layers);
        }
    }

    /**
     * One dense layer: {@code out = rescale(W·in + b, shift)} then a ReLU if {@code relu}.
     *
     * @param weightScale fractional bits of the layer's weights
     * @param outputScale fractional bits of its output (the last layer of a classifier: the scores the argmax reads)
     * @param shift       the rescale after the dense sum (0: none)
     * @param constraints estimated constraints of the layer (rescale, ReLU, and the argmax for the last layer of a classifier)
     */
    public record NetworkLayer(String name, int inputs, int outputs, boolean relu, int weightScale, int outputScale,
                               int shift, long constraints) {
    }

    /**
     * @param target     {@code accuracy} or {@code resources}
     * @param tolerance  the tolerance of the resources target (labels that may differ, or |error|)
     * @param samples    sample inputs evaluated (0: not calibrated)
     * @param targetMet  whether the chosen candidate meets the target
     * @param reason     why it was chosen
     * @param candidates every candidate tried, in order
     */
    public record Calibration(String target, double tolerance, int samples, boolean targetMet, String reason,
                              List<Candidate> candidates) {
        public Calibration {
            candidates = List.copyOf(candidates);
        }
    }

    /**
     * One candidate setting.
     *
     * @param activationBits the activation budget B_a (null: inputScale was requested)
     * @param weightBits     the weight budget B_w (null: weightScale was requested)
     * @param constraints    estimated constraints; null when it overflows
     * @param errorBound     its sound bound on |circuit − float| of the scores/outputs; null when it overflows
     * @param labelAgreement classification: the fraction of samples whose label equals the float model's
     * @param maxError       the largest |circuit − float| of a score/output on the samples
     * @param why            why it was or was not chosen (an overflow names the layer and the bound)
     */
    public record Candidate(@JsonInclude(JsonInclude.Include.NON_NULL) Integer activationBits,
                            @JsonInclude(JsonInclude.Include.NON_NULL) Integer weightBits, int inputScale,
                            List<Integer> weightScales, List<Integer> outputScales,
                            Long constraints, Double errorBound, Double labelAgreement, Double maxError,
                            boolean chosen, String why) {
    }
}
