package io.zkml.api.inferences;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
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
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.zkml.api.idempotency.IdempotencyKeys;
import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;
import io.zkml.api.security.RequestOwner;
import io.zkml.api.support.Ids;
import io.zkml.api.support.Pages;

/** {@code POST /v1/circuits/{id}/batches}, {@code GET /v1/batches/{id}} (issue 8). */
@RestController
class BatchController {

    private final BatchService service;
    private final InferenceCallbacks callbacks;
    private final InferenceRepository inferences;

    BatchController(BatchService service, InferenceCallbacks callbacks, InferenceRepository inferences) {
        this.service = service;
        this.callbacks = callbacks;
        this.inferences = inferences;
    }

    /**
     * A batch as the API shows it: like an inference, with one element per row the client sent in
     * {@code inputs} (public inputs only), {@code outputs} and {@code fidelity}; the padding rows are
     * proven and not reported. {@code publicInputs} are the whole proof's (padding rows included).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record BatchResponse(UUID id, UUID circuitId, String status, int rows, List<List<Double>> inputs, JsonNode outputs,
                         String commitment, String salt, List<String> publicInputs, String proof, String calldata,
                         JsonNode fidelity, Map<String, Long> timings, String error, Instant createdAt,
                         Instant finishedAt, Integer attempt, Map<String, String> metadata, Map<String, Object> callback,
                         String phase, String outputCommitment, String outputSalt) {

        private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();

        /** With the delivery status of its callback (issue 9; null: none). */
        BatchResponse withCallback(Map<String, Object> c) {
            return new BatchResponse(id, circuitId, status, rows, inputs, outputs, commitment, salt, publicInputs, proof,
                    calldata, fidelity, timings, error, createdAt, finishedAt, attempt, metadata, c, phase,
                    outputCommitment, outputSalt);
        }

        static BatchResponse of(BatchService.Created c) {
            InferenceRecord r = c.batch();
            List<List<Double>> inputs = null;
            if (!r.inputHidden() && r.input() != null) {
                int per = r.input().size() / c.rows();
                inputs = new ArrayList<>();
                for (int k = 0; k < c.rows(); k++) {
                    inputs.add(List.copyOf(r.input().subList(k * per, (k + 1) * per)));
                }
            }
            JsonNode outputs = c.requesterOutputs() != null ? JSON.valueToTree(c.requesterOutputs()) : r.output();
            return new BatchResponse(r.id(), r.circuitId(), r.status().dbName(), c.rows(), inputs, outputs,
                    r.commitment(), c.drawnSalt(), r.publicInputs(), r.proof(), r.calldata(), r.fidelity(), r.timings(),
                    r.error(), r.createdAt(), r.finishedAt(), r.attempt() == 0 ? null : r.attempt(), r.metadata(), null,
                    InferenceController.InferenceResponse.phase(r), r.outputCommitment(), c.drawnOutputSalt());
        }
    }

    @PostMapping(path = "/v1/circuits/{circuitId}/batches", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<BatchResponse> create(@PathVariable("circuitId") String circuitId,
                                         @RequestBody(required = false) JsonNode body,
                                         @RequestHeader(name = IdempotencyKeys.HEADER, required = false) String idempotencyKey) {
        UUID circuit = Ids.parse(circuitId, "circuit");
        if (body == null || !body.isObject()) {
            throw new ApiException(ProblemType.INVALID_REQUEST,
                    "the body must be a JSON object {\"inputs\": [[...], ...]} with an optional \"salt\"");
        }
        // issue 9: callbackUrl and metadata as for an inference, checked before anything is stored
        URI callbackUrl = callbacks.callbackUrl(body.get("callbackUrl"));
        Map<String, String> metadata = InferenceCallbacks.metadata(body.get("metadata"));
        BatchService.Created c = service.create(circuit, body.get("inputs"), body.get("salt"), body.get("outputSalt"),
                idempotencyKey, callbackUrl, metadata);
        return ResponseEntity.accepted().location(URI.create("/v1/batches/" + c.batch().id()))
                .body(BatchResponse.of(c).withCallback(callbacks.status(c.batch().id())));
    }

    @GetMapping("/v1/batches/{id}")
    BatchResponse get(@PathVariable("id") String id) {
        BatchService.Created c = service.get(Ids.parse(id, "batch"));
        return BatchResponse.of(c).withCallback(callbacks.status(c.batch().id()));
    }

    /**
     * {@code GET /v1/batches?circuitId=&status=} (issue 9): the caller's batches, newest first, a page at a
     * time, as {@code GET /v1/inferences} lists inferences (which leaves batches out).
     */
    @GetMapping("/v1/batches")
    Pages.Page<BatchResponse> list(@RequestParam(name = "circuitId", required = false) String circuitId,
                                   @RequestParam(name = "status", required = false) String status,
                                   @RequestParam(name = "limit", required = false) Integer limit,
                                   @RequestParam(name = "cursor", required = false) String cursor) {
        int n = Pages.limit(limit);
        UUID circuit = circuitId == null || circuitId.isEmpty() ? null : Pages.id(circuitId, "circuitId");
        return Pages.page(inferences.listBatchesByOwner(RequestOwner.owner(), circuit,
                        Pages.status(status, InferenceStatus.values()), Pages.decode(cursor), n), n,
                c -> c.batch().createdAt(), c -> c.batch().id(),
                c -> BatchResponse.of(c).withCallback(callbacks.status(c.batch().id())));
    }
}
