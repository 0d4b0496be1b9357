package io.zkml.api.circuits;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.JsonNode;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import io.zkml.api.artifacts.ArtifactVersions;
import io.zkml.api.idempotency.IdempotencyKeys;
import io.zkml.api.support.Ids;

/** {@code /v1/models/{id}/circuits} and {@code /v1/circuits/...}. */
@RestController
class CircuitController {

    private final CircuitService service;

    CircuitController(CircuitService service) {
        this.service = service;
    }

    /** The body of {@code POST /v1/models/{id}/circuits}; every field is optional. */
    record CreateCircuitRequest(String provingSystem, QuantizationRequest quantization, VisibilityRequest visibility,
                                SetupRequest setup, String output, Integer batchSize, JsonNode metadata,
                                String rangeCheck, List<String> workerTags, JsonNode weightsSalt) {
    }

    /**
     * A circuit as the API shows it.
     *
     * @param quantization the quantization the compiler used (scales, per-feature real and integer
     *     ranges, error bound); null until compiled
     * @param settings the quantization settings as requested, with {@code sampleInputs} summarized
     *     ({@code sampleInputCount}, {@code sampleInputsSha256}: issue 9 defect 3), not echoed
     * @param constraintsByOp the constraints each op kind adds (gnark's counts, circuit order; they sum to
     *     {@code constraints}); null until compiled and for circuits compiled before it was recorded
     * @param visibility who sees what: {@code input} ({@code public}, {@code hashed}: a commitment is
     *     public, or {@code private}), {@code output} ({@code public}), {@code weights} ({@code fixed})
     * @param timings milliseconds: {@code compileMillis} (quantize + lower), {@code constraintSystemMillis}
     *     (gnark compile), {@code setupMillis} (Groth16 or PLONK setup), {@code exportMillis} (Solidity)
     * @param setup how the keys are made ({@code trust}, and for PLONK the SRS: docs/trust-model.md)
     * @param batchSize the rows one proof covers (issue 8; 1: no batches)
     * @param output the output mode asked for at creation (issue 6): {@code argmax}, or absent for the
     *     model's own output
     * @param metadata the request's free-form {@code metadata} map (issue 9), absent without
     * @param progress issue 9: {@code step}, {@code stepsDone}, {@code steps}, {@code percent} while the
     *     compile job runs or a ceremony awaits contributions ({@link CircuitService#progress}); absent otherwise
     * @param rangeCheck how the circuit range-checks (issue 7): {@code bits} or {@code lookup}
     * @param workerTags the capability tags a worker needs to prove for this circuit (issue 9), or
     *     absent: any worker
     * @param weightsCommitment issue 8, hashed weights: the Poseidon2 commitment to the private weights
     *     (domain zkml-weights-v1, the circuit's weights salt), a public input of every proof; absent
     *     until compiled and for fixed weights
     * @param weightsSalt issue 8: the weights salt the service drew, shown once in the 202 of the POST
     *     that created the circuit (never again); absent otherwise
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CircuitResponse(UUID id, UUID modelId, String status, String provingSystem, Integer constraints,
                           Map<String, Integer> constraintsByOp, Integer publicInputs, String circuitHash, String verifyingKeyHash, JsonNode quantization,
                           SettingsSummary settings, VisibilityRequest visibility, ArtifactVersions versions,
                           Map<String, Long> timings, String error, Map<String, String> links, Instant createdAt,
                           Instant updatedAt, SetupInfo setup, Integer batchSize, String output,
                           Map<String, String> metadata, Map<String, Object> progress,
                           String rangeCheck, List<String> workerTags, String weightsCommitment, String weightsSalt) {
        static CircuitResponse of(CircuitRecord c) {
            return of(c, 1);
        }

        static CircuitResponse of(CircuitRecord c, int batchSize) {
            return of(c, batchSize, null);
        }

        static CircuitResponse of(CircuitRecord c, int batchSize, String output) {
            return of(c, batchSize, output, null, null, RangeCheck.BITS, List.of());
        }

        /** As the API shows a circuit, with its metadata and progress (issue 9). */
        static CircuitResponse of(CircuitService service, CircuitRecord c) {
            CircuitResponse r = of(c, service.batchSize(c.id()), service.output(c.id()), service.metadata(c.id()), service.progress(c),
                    service.rangeCheck(c.id()), service.workerTags(c.id()));
            String commitment = service.hashedWeights(c.id()).map(io.zkml.api.circuits.CircuitRepository.HashedWeightsInfo::commitment)
                    .orElse(null);
            return commitment == null ? r : r.withWeights(commitment, null);
        }

        /** This response with the weights commitment and (once, in the 202) a drawn weights salt (issue 8). */
        CircuitResponse withWeights(String commitment, String salt) {
            return new CircuitResponse(id, modelId, status, provingSystem, constraints, constraintsByOp, publicInputs, circuitHash,
                    verifyingKeyHash, quantization, settings, visibility, versions, timings, error, links, createdAt, updatedAt,
                    setup, batchSize, output, metadata, progress, rangeCheck, workerTags, commitment, salt);
        }

        static CircuitResponse of(CircuitRecord c, int batchSize, String output, Map<String, String> metadata,
                                  Map<String, Object> progress, String rangeCheck,
                                  List<String> workerTags) {
            String self = "/v1/circuits/" + c.id();
            Map<String, String> links = c.status() == CircuitStatus.READY
                    ? Map.of("self", self, "ir", self + "/ir", "verifier", self + "/verifier.sol",
                    "verifyingKey", self + "/verifying-key", "inferences", self + "/inferences")
                    : c.status() == CircuitStatus.AWAITING_CONTRIBUTIONS
                    ? Map.of("self", self, "ir", self + "/ir", "ceremony", self + "/ceremony")
                    : c.irSha256() != null ? Map.of("self", self, "ir", self + "/ir") : Map.of("self", self);
            return new CircuitResponse(c.id(), c.modelId(), c.status().dbName(), c.provingSystem(), c.constraints(),
                    c.constraintsByOp(), c.publicInputs(), c.circuitHash(), c.verifyingKeyHash(), c.quantization(), SettingsSummary.of(c.settings()), c.visibility(), c.versions(),
                    c.timings(), c.error(), links, c.createdAt(), c.updatedAt(), c.setupInfo(), batchSize, output, metadata, progress,
                    rangeCheck == null ? RangeCheck.BITS : rangeCheck,
                    workerTags == null || workerTags.isEmpty() ? null : workerTags, null, null);
        }
    }

    @PostMapping("/v1/models/{modelId}/circuits")
    ResponseEntity<CircuitResponse> create(@PathVariable("modelId") String modelId,
                                           @RequestBody(required = false) CreateCircuitRequest body,
                                           @RequestHeader(name = IdempotencyKeys.HEADER, required = false) String idempotencyKey) {
        UUID model = Ids.parse(modelId, "model");
        service.takeDrawnWeightsSalt(); // nothing left over from an earlier request on this thread
        CreateCircuitRequest req = body == null ? new CreateCircuitRequest(null, null, null, null, null, null, null, null, null, null) : body;
        CircuitRecord c = service.create(model, new CircuitService.NewCircuit(req.provingSystem(), req.quantization(),
                req.visibility(), req.setup(), req.output(), req.batchSize(), req.rangeCheck(), req.workerTags(),
                io.zkml.api.support.Metadata.parse(req.metadata()), req.weightsSalt()), idempotencyKey);
        CircuitResponse response = CircuitResponse.of(service, c);
        String drawn = service.takeDrawnWeightsSalt(); // issue 8: shown once, here
        if (drawn != null) {
            response = response.withWeights(response.weightsCommitment(), drawn);
        }
        return ResponseEntity.accepted().location(URI.create("/v1/circuits/" + c.id())).body(response);
    }

    @GetMapping("/v1/circuits/{id}")
    CircuitResponse get(@PathVariable("id") String id) {
        return CircuitResponse.of(service, service.get(Ids.parse(id, "circuit")));
    }

    @GetMapping(path = "/v1/circuits/{id}/verifier.sol", produces = MediaType.TEXT_PLAIN_VALUE)
    ResponseEntity<String> verifier(@PathVariable("id") String id) {
        return ResponseEntity.ok().contentType(new MediaType("text", "plain", java.nio.charset.StandardCharsets.UTF_8))
                .body(service.verifierSource(Ids.parse(id, "circuit")));
    }

    /**
     * The verifying-key file (Groth16 or PLONK, as its header says) (the native library's versioned format, docs/native-abi.md),
     * byte for byte as stored: its SHA-256 is the circuit's {@code verifyingKeyHash}, so an auditor
     * can check it and verify proofs locally ({@code zkml verify --service}).
     */
    @GetMapping(path = "/v1/circuits/{id}/verifying-key", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    ResponseEntity<byte[]> verifyingKey(@PathVariable("id") String id) {
        UUID circuit = Ids.parse(id, "circuit");
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
                .header("Content-Disposition", "attachment; filename=\"vk.bin\"")
                .body(service.verifyingKey(circuit));
    }

    @GetMapping(path = "/v1/circuits/{id}/ir", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> ir(@PathVariable("id") String id) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(service.ir(Ids.parse(id, "circuit")));
    }
}
