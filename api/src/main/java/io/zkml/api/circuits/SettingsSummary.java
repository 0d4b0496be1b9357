package io.zkml.api.circuits;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.zkml.api.artifacts.ArtifactRepository;

/**
 * The {@code settings} of a circuit as {@code GET /v1/circuits/{id}} shows them (issue 9 defect 3):
 * the requested quantization settings, except that the bulk {@code sampleInputs} rows are not echoed
 * but summarized, by their count and the SHA-256 of their canonical form ({@link #canonical}).
 *
 * @param sampleInputCount how many {@code sampleInputs} rows the request gave; absent without samples
 * @param sampleInputsSha256 SHA-256 (hex) of the rows' canonical form; absent without samples
 */
public record SettingsSummary(Integer inputScale, Integer weightScale, List<QuantizationRequest.Range> inputRanges,
                              @JsonInclude(JsonInclude.Include.NON_NULL) Integer sampleInputCount,
                              @JsonInclude(JsonInclude.Include.NON_NULL) String sampleInputsSha256,
                              @JsonInclude(JsonInclude.Include.NON_NULL) String target,
                              @JsonInclude(JsonInclude.Include.NON_NULL) Double tolerance) {

    /** The summary of stored settings; null for null. */
    public static SettingsSummary of(QuantizationRequest s) {
        if (s == null) {
            return null;
        }
        List<List<Double>> rows = s.sampleInputs();
        boolean sampled = rows != null;
        return new SettingsSummary(s.inputScale(), s.weightScale(), s.inputRanges(),
                sampled ? rows.size() : null,
                sampled ? ArtifactRepository.sha256(canonical(rows).getBytes(StandardCharsets.UTF_8)) : null,
                s.target(), s.tolerance());
    }

    /**
     * The canonical form of sample rows: compact JSON, {@code [[1.0,2.5],[3.0,-4.0]]}, every number
     * as Java's {@link Double#toString(double)} writes it ({@code 1.0}, {@code 1.0E10}), no spaces.
     */
    public static String canonical(List<List<Double>> rows) {
        return rows.stream()
                .map(row -> row == null ? "null" : row.stream()
                        .map(v -> v == null ? "null" : Double.toString(v))
                        .collect(Collectors.joining(",", "[", "]")))
                .collect(Collectors.joining(",", "[", "]"));
    }
}
