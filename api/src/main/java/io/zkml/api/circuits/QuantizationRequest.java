package io.zkml.api.circuits;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.zkml.compiler.QuantizationSettings;
import io.zkml.compiler.SettingsJson;
import tools.jackson.databind.json.JsonMapper;

/**
 * Quantization settings as a client sends them; every field is optional (the compiler chooses).
 *
 * @param inputScale fractional bits of the inputs
 * @param weightScale fractional bits of the weights
 * @param inputRanges the allowed real range of every feature, in feature order
 * @param sampleInputs inputs whose observed ranges (widened by a margin) become the input ranges
 *     when {@code inputRanges} is absent; networks are calibrated on them
 * @param target networks: {@code accuracy} (default) or {@code resources} (issue 6, docs/onnx-models.md)
 * @param tolerance networks, target {@code resources}: labels that may differ (fraction) or the largest |error|
 */
public record QuantizationRequest(Integer inputScale, Integer weightScale, List<Range> inputRanges,
                                  List<List<Double>> sampleInputs,
                                  @JsonInclude(JsonInclude.Include.NON_NULL) String target,
                                  @JsonInclude(JsonInclude.Include.NON_NULL) Double tolerance) {

    /** Without the network calibration fields. */
    public QuantizationRequest(Integer inputScale, Integer weightScale, List<Range> inputRanges,
                               List<List<Double>> sampleInputs) {
        this(inputScale, weightScale, inputRanges, sampleInputs, null, null);
    }

    /** One feature's allowed range. */
    public record Range(Double min, Double max) {
    }

    public static QuantizationRequest empty() {
        return new QuantizationRequest(null, null, null, null);
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * Checks what can be checked without compiling (scales within the compiler's limits; ranges and
     * sample rows against the model's features) and converts, with the compiler's
     * {@link SettingsJson} (as {@code zkml compile} reads settings files).
     *
     * @throws IllegalArgumentException with a message for the client
     */
    public QuantizationSettings toSettings(List<String> features) {
        return SettingsJson.read(JSON.valueToTree(this), features);
    }
}
