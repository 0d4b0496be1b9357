package io.zkml.api.inferences;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/** A row of {@code inferences}. Result fields are null until it succeeded. */
public record InferenceRecord(UUID id, UUID circuitId, InferenceStatus status, List<Double> input,
                              List<String> quantizedInput, JsonNode output, List<String> publicInputs, String proof,
                              String calldata, JsonNode fidelity, Map<String, Long> timings, String error,
                              Instant createdAt, Instant updatedAt, Instant startedAt, Instant finishedAt) {
}
