package io.zkml.api.inferences;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/**
 * A row of {@code inferences}. Result fields are null until it succeeded. For a circuit whose inputs
 * are hashed or private, {@code input}, {@code quantizedInput} and {@code salt} are null once the
 * prove job ended (ADR 0008); {@code salt} and {@code commitment} are null without hashed inputs.
 * {@code phase} is the stored phase of the prove job (V37: queued, loading, proving, checking; issue 9);
 * {@code attempt} is the prove job's attempt (0 until a worker first claimed it; issue 9);
 * {@code metadata} the request's free-form map (null: none; issue 9);
 * {@code outputSalt} and {@code outputCommitment}: hashed outputs only (V41, issue 8), the salt erased
 * (with the outputs, never stored) when the prove job ends.
 */
public record InferenceRecord(UUID id, UUID circuitId, InferenceStatus status, List<Double> input,
                              List<String> quantizedInput, JsonNode output, List<String> publicInputs, String proof,
                              String calldata, JsonNode fidelity, Map<String, Long> timings, String error,
                              Instant createdAt, Instant updatedAt, Instant startedAt, Instant finishedAt,
                              String salt, String commitment, boolean inputHidden,
                              int attempt, Map<String, String> metadata, String phase,
                              String outputSalt, String outputCommitment) {
}
