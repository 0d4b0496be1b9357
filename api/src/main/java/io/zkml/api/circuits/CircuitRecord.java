package io.zkml.api.circuits;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

import io.zkml.api.artifacts.ArtifactVersions;

/** A row of {@code circuits}. Fields that the compile job fills are null before. */
public record CircuitRecord(UUID id, UUID modelId, CircuitStatus status, String provingSystem,
                            QuantizationRequest settings, JsonNode quantization, Integer constraints,
                            Map<String, Integer> constraintsByOp, Integer publicInputs, String circuitHash, String verifyingKeyHash, String irSha256,
                            String csSha256, String pkSha256, String vkSha256, String verifierSha256,
                            ArtifactVersions versions, Map<String, Long> timings, String error, Instant createdAt,
                            Instant updatedAt, VisibilityRequest visibility, String setupTrust, SetupInfo setup) {

    /**
     * How the circuit's keys are (to be) made: the trust decided at creation, with the SRS the setup
     * used once it ran ({@code single-party} for circuits created before v16, all Groth16).
     */
    public SetupInfo setupInfo() {
        if (setup != null) {
            return setup;
        }
        return new SetupInfo(setupTrust == null ? "single-party" : setupTrust, null, null, null);
    }

    /** The visibility as requested, defaults filled in ({@link VisibilityRequest#DEFAULT} for circuits made before v5). */
    @Override
    public VisibilityRequest visibility() {
        return visibility == null ? VisibilityRequest.DEFAULT : visibility;
    }
}
