package io.zkml.api.inferences;

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

import io.zkml.api.idempotency.IdempotencyKeys;
import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;
import io.zkml.api.support.Ids;

/** {@code POST /v1/circuits/{id}/inferences}, {@code GET /v1/inferences/{id}}. */
@RestController
class InferenceController {

    private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();

    /** The longest {@code ?wait=} (seconds). */
    static final double MAX_WAIT_SECONDS = 30;

    private final InferenceService service;
    private final InferenceCallbacks callbacks;
    private final InferenceWaiters waiters;
    private final InferenceEndListener endListener;

    InferenceController(InferenceService service, InferenceCallbacks callbacks, InferenceWaiters waiters,
                        InferenceEndListener endListener) {
        this.service = service;
        this.callbacks = callbacks;
        this.waiters = waiters;
        this.endListener = endListener;
    }

    /**
     * An inference as the API shows it.
     *
     * @param output {@code {"label": …}} (classification) or {@code {"values": {name: number}}}
     *     (regression), dequantized from the circuit's output
     * @param input the real input; absent for a circuit whose inputs are hashed or private (never shown, ADR 0008)
     * @param publicInputs decimal field elements in the verifier's order (public input values, the
     *     commitment, then the outputs)
     * @param commitment the commitment to the hashed inputs (decimal field element), circuits with hashed inputs only
     * @param salt the salt the service drew for the commitment: only in the response to the POST that
     *     created the inference, when the request sent none; never stored past the proof, never shown again
     * @param proof 0x-hex of the 8 words {@code verifyProof} takes
     * @param calldata 0x-hex of a complete {@code verifyProof} call
     * @param fidelity the float model's prediction compared with the circuit's output
     * @param timings milliseconds: {@code queueMillis}, {@code witnessMillis}, {@code proveMillis}
     * @param metadata the request's free-form {@code metadata} map, as stored (issue 9)
     * @param callback the delivery status of the {@code callbackUrl}, if one was given (issue 9)
     * @param attempt which attempt of the prove job is (or was last) running: 1 for the first; absent
     *     while no worker claimed it (a worker that died or lost its lease makes the next one 2)
     * @param phase issue 9: where the prove job is: {@code queued}, {@code loading} (circuit and proving
     *     key), {@code proving} (witness and proof: one native call), {@code checking} (against the Java
     *     reference) or {@code done} (ended: {@code status} says how)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record InferenceResponse(UUID id, UUID circuitId, String status, List<Double> input, JsonNode output,
                             String commitment, String salt,
                             List<String> publicInputs, String proof, String calldata, JsonNode fidelity,
                             Map<String, Long> timings, String error, Instant createdAt, Instant finishedAt,
                             Integer attempt, Map<String, String> metadata, Map<String, Object> callback,
                             String phase, String outputCommitment, String outputSalt) {
        InferenceResponse(UUID id, UUID circuitId, String status, List<Double> input, JsonNode output, String commitment,
                          String salt, List<String> publicInputs, String proof, String calldata, JsonNode fidelity,
                          Map<String, Long> timings, String error, Instant createdAt, Instant finishedAt, Integer attempt,
                          Map<String, String> metadata, Map<String, Object> callback, String phase) {
            this(id, circuitId, status, input, output, commitment, salt, publicInputs, proof, calldata, fidelity, timings,
                    error, createdAt, finishedAt, attempt, metadata, callback, phase, null, null);
        }

        /** With the delivery status of its callback (issue 9; null: none). */
        InferenceResponse withCallback(Map<String, Object> c) {
            return new InferenceResponse(id, circuitId, status, input, output, commitment, salt, publicInputs, proof,
                    calldata, fidelity, timings, error, createdAt, finishedAt, attempt, metadata, c, phase,
                    outputCommitment, outputSalt);
        }

        /**
         * Issue 8, hashed outputs: the POST's 202 shows the requester its outputs (the Java reference's,
         * which the proof must match) and a drawn output salt, once; no later response shows either.
         */
        InferenceResponse withRequesterOutput(JsonNode requesterOutput, String drawnOutputSalt) {
            return new InferenceResponse(id, circuitId, status, input, requesterOutput == null ? output : requesterOutput,
                    commitment, salt, publicInputs, proof, calldata, fidelity, timings, error, createdAt, finishedAt, attempt,
                    metadata, callback, phase, outputCommitment, drawnOutputSalt);
        }

        static InferenceResponse of(InferenceRecord r) {
            return of(r, null);
        }

        /** With the drawn salt (the POST's response only); the input only when the circuit's inputs are public. */
        static InferenceResponse of(InferenceRecord r, String drawnSalt) {
            boolean hidden = r.inputHidden() || r.input() == null;
            return new InferenceResponse(r.id(), r.circuitId(), r.status().dbName(), hidden ? null : r.input(), r.output(),
                    r.commitment(), drawnSalt, r.publicInputs(), r.proof(), r.calldata(), r.fidelity(), r.timings(),
                    r.error(), r.createdAt(), r.finishedAt(), r.attempt() == 0 ? null : r.attempt(), r.metadata(), null,
                    phase(r), r.outputCommitment(), null);
        }

        /** The shown phase: the stored one while queued or proving, {@code done} once ended. */
        static String phase(InferenceRecord r) {
            return r.status() == InferenceStatus.QUEUED || r.status() == InferenceStatus.PROVING
                    ? (r.phase() == null ? r.status().dbName() : r.phase()) : "done";
        }
    }

    @PostMapping(path = "/v1/circuits/{circuitId}/inferences", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<InferenceResponse> create(@PathVariable("circuitId") String circuitId, @RequestBody InferenceBody body,
                                             @RequestHeader(name = IdempotencyKeys.HEADER, required = false) String idempotencyKey) {
        UUID circuit = Ids.parse(circuitId, "circuit");
        if (!body.root().isObject()) {
            throw new ApiException(ProblemType.INVALID_REQUEST,
                    "the body must be a JSON object {\"input\": [...]} or {\"input\": {feature name: number, ...}}");
        }
        // issue 9: callbackUrl, checked before anything is stored
        URI callbackUrl = callbacks.callbackUrl(body.root().get("callbackUrl"));
        Map<String, String> metadata = InferenceCallbacks.metadata(body.root().get("metadata"));
        InferenceService.Created c = callbacks.create(circuit, body.root().get(InferenceBody.INPUT), body.duplicateInputKeys(),
                body.root().get("salt"), body.root().get("outputSalt"), idempotencyKey, callbackUrl, metadata);
        InferenceRecord r = c.inference();
        JsonNode requesterOutput = c.requesterOutput() == null ? null : JSON.valueToTree(c.requesterOutput());
        return ResponseEntity.accepted().location(URI.create("/v1/inferences/" + r.id()))
                                // ADR 0027: a callback's status is read only where there can be one (a callbackUrl, or a
                // replay of an earlier request that may have had one)
                .body(InferenceResponse.of(r, c.drawnSalt())
                        .withCallback(callbackUrl == null && idempotencyKey == null ? null : callbacks.status(r.id()))
                        .withRequesterOutput(requesterOutput, c.drawnOutputSalt()));
    }

    /**
     * {@code GET /v1/inferences/{id}}; with {@code ?wait=<seconds>} (issue 9, ADR 0027: a long poll of
     * at most {@value #MAX_WAIT_SECONDS} s) the answer comes when the inference has ended or the wait
     * is over, whichever is first: the same response as without, only later.
     */
    @GetMapping("/v1/inferences/{id}")
    InferenceResponse get(@PathVariable("id") String id,
                          @org.springframework.web.bind.annotation.RequestParam(name = "wait", required = false) String wait)
            throws InterruptedException {
        UUID inferenceId = Ids.parse(id, "inference");
        long waitMillis = waitMillis(wait);
        InferenceRepository.Row row = service.getInferenceRow(inferenceId);
        if (waitMillis > 0 && !ended(row.record())) {
            row = awaitEnd(inferenceId, row, System.nanoTime() + waitMillis * 1_000_000);
        }
        InferenceRecord r = row.record();
        // ADR 0027: the callback's delivery status is read only for an inference that has one
        return InferenceResponse.of(r).withCallback(row.callbackUrl() == null ? null : callbacks.status(r.id()));
    }

    private InferenceRepository.Row awaitEnd(UUID id, InferenceRepository.Row row, long deadline)
            throws InterruptedException {
        try (InferenceWaiters.Waiter w = waiters.register(id)) {
            if (w == null) {
                return row; // too many requests wait already: answered at once
            }
            // registered before this read: an end committed after it wakes the waiter
            row = service.getInferenceRow(id);
            while (!ended(row.record())) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    break;
                }
                w.await(Math.min(left, endListener.pollMillis()));
                row = service.getInferenceRow(id);
            }
            return row;
        }
    }

    private static boolean ended(InferenceRecord r) {
        return r.status() != InferenceStatus.QUEUED && r.status() != InferenceStatus.PROVING;
    }

    /** {@code ?wait=}: seconds, 0 to {@value #MAX_WAIT_SECONDS} (decimals allowed); absent: 0. */
    static long waitMillis(String wait) {
        if (wait == null) {
            return 0;
        }
        double seconds;
        try {
            seconds = wait.matches("[0-9]{1,3}(\\.[0-9]{1,3})?") ? Double.parseDouble(wait) : -1;
        } catch (NumberFormatException e) {
            seconds = -1;
        }
        if (seconds < 0 || seconds > MAX_WAIT_SECONDS) {
            throw new ApiException(ProblemType.INVALID_REQUEST, "\"wait\" must be a number of seconds from 0 to "
                    + (int) MAX_WAIT_SECONDS + " (at most 3 decimals), e.g. wait=10", Map.of("field", "wait"));
        }
        return Math.round(seconds * 1000);
    }
}
