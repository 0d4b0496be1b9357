package io.zkml.api.inferences;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.zkml.api.circuits.CircuitRecord;
import io.zkml.api.circuits.CircuitService;
import io.zkml.api.idempotency.IdempotencyKeys;
import io.zkml.api.support.Json;
import io.zkml.api.jobs.JobKind;
import io.zkml.api.jobs.JobRepository;
import io.zkml.api.jobs.JobSignal;
import io.zkml.api.jobs.WorkerProperties;
import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;
import io.zkml.compiler.BatchCircuit;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.InputValidationException;
import io.zkml.compiler.commit.Commitments;
import io.zkml.compiler.ir.Visibility;

/**
 * Batches (issue 8, docs/visibility.md "Batches"): {@code 1..batchSize} rows of a circuit compiled
 * with {@code batchSize > 1}, each checked and quantized like an inference's input, padded with
 * copies of the first row ({@link BatchCircuit#pad}), stored as one {@code inferences} row with
 * {@code batch_rows} set and proven by one prove job. Every refusal happens here, before anything is
 * stored.
 */
@Service
public class BatchService {

    private final InferenceRepository inferences;
    private final CircuitService circuits;
    private final JobRepository jobs;
    private final JobSignal signal;
    private final WorkerProperties workerProps;
    private final IdempotencyKeys idempotency;
    private final JdbcClient jdbc;
    private final Json json;
    private final SecureRandom random = new SecureRandom();

    BatchService(InferenceRepository inferences, CircuitService circuits, JobRepository jobs, JobSignal signal,
                 WorkerProperties workerProps, IdempotencyKeys idempotency, JdbcClient jdbc, Json json) {
        this.idempotency = idempotency;
        this.jdbc = jdbc;
        this.json = json;
        this.inferences = inferences;
        this.circuits = circuits;
        this.jobs = jobs;
        this.signal = signal;
        this.workerProps = workerProps;
    }

    /** A created batch, its row count, and the salt the service drew (shown once; null if the client sent one or none is used). */
    public record Created(InferenceRecord batch, int rows, String drawnSalt, String drawnOutputSalt, List<Object> requesterOutputs) {
        public Created(InferenceRecord batch, int rows, String drawnSalt) {
            this(batch, rows, drawnSalt, null, null);
        }

    }

    public Created create(UUID circuitId, JsonNode inputs, JsonNode salt) {
        return create(circuitId, inputs, salt, null, null, null, null);
    }

    /** As {@link #create(UUID, JsonNode, JsonNode)} with the {@code outputSalt} of a circuit with hashed outputs (issue 8). */
    @Transactional
    public Created create(UUID circuitId, JsonNode inputs, JsonNode salt, JsonNode outputSalt) {
        return create(circuitId, inputs, salt, outputSalt, null, null, null);
    }

    /**
     * As {@link #create(UUID, JsonNode, JsonNode, JsonNode)} with what an inference request also takes (issue 9):
     * an {@code Idempotency-Key} (a retry with the same rows, salt, metadata and callback URL gets the
     * first batch; other ones a 422), a checked callback URL and metadata map, stored in the same
     * transaction (the V17 trigger queues the callback when the batch ends, as for an inference).
     */
    @Transactional
    public Created create(UUID circuitId, JsonNode inputs, JsonNode salt, JsonNode outputSalt, String idempotencyKey,
                          java.net.URI callbackUrl, Map<String, String> metadata) {
        circuits.lockForUse(circuitId); // issue 9: a concurrent DELETE of the circuit waits, or was first (404)
        CircuitRecord circuit = circuits.getReady(circuitId);
        int batchSize = circuits.batchSize(circuitId);
        if (batchSize < 2) {
            throw new ApiException(ProblemType.INVALID_INPUT, "circuit " + circuitId + " was compiled without batches "
                    + "(batchSize 1); create one with \"batchSize\" on POST /v1/models/{id}/circuits, or POST its inferences",
                    Map.of("reason", "no-batches", "batchSize", 1));
        }
        BatchCircuit batch = circuits.batch(circuit);
        CompiledCircuit single = batch.single();
        if (inputs == null || !inputs.isArray()) {
            throw new ApiException(ProblemType.INVALID_REQUEST, "the body needs \"inputs\": an array of 1 to " + batchSize
                    + " rows, each an array of " + single.features().size() + " numbers in feature order " + single.features(),
                    Map.of("field", "inputs"));
        }
        if (inputs.isEmpty() || inputs.size() > batchSize) {
            throw new ApiException(ProblemType.INVALID_INPUT, "a batch of this circuit has 1 to " + batchSize + " rows, got "
                    + inputs.size(), Map.of("reason", "batch-size", "batchSize", batchSize, "rows", inputs.size()));
        }
        boolean hashed = single.inputVisibility() == Visibility.HASHED;
        boolean hidden = single.inputVisibility() != Visibility.PUBLIC;
        boolean hashedOutputs = batch.ir().hasHashedOutputs();
        BigInteger clientSalt = InferenceService.salt(salt, hashed);
        BigInteger clientOutputSalt = InferenceService.outputSalt(outputSalt, hashedOutputs);
        List<Double> real = new ArrayList<>();
        List<List<BigInteger>> quantized = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            double[] values;
            try {
                values = InferenceService.numbers(inputs.get(i), List.of(), single.features());
                quantized.add(single.quantizeInput(values));
            } catch (ApiException e) {
                throw rowProblem(i, e.type(), e.getMessage(), e.properties());
            } catch (InputValidationException e) {
                throw rowProblem(i, ProblemType.INVALID_INPUT, e.getMessage(),
                        Map.of("reason", e.reason().name().toLowerCase(Locale.ROOT).replace('_', '-')));
            }
            for (double v : values) {
                real.add(v);
            }
        }
        List<BigInteger> padded = batch.pad(quantized);
        BigInteger saltValue = !hashed ? null : clientSalt != null ? clientSalt : Commitments.randomSalt(random);
        String commitment = hashed ? batch.commitment(padded, saltValue).orElseThrow().toString() : null;
        UUID id = UUID.randomUUID();
        // as for an inference (ADR 0008): a hidden input leaves no brute-forceable trace in the key table
        String fingerprint = (!hidden ? real.toString() + " rows " + inputs.size()
                : clientSalt != null ? "commitment:" + commitment : "hidden input, salt " + (hashed ? "drawn" : "none"))
                + io.zkml.api.support.Metadata.fingerprint(metadata, json)
                + (callbackUrl == null ? "" : "\ncallbackUrl=" + callbackUrl)
                + (hashedOutputs ? "\noutputSalt " + (clientOutputSalt != null ? "sent" : "drawn") : "");
        java.util.Optional<UUID> earlier = idempotency.claim(idempotencyKey, "POST /v1/circuits/" + circuitId + "/batches",
                fingerprint, id);
        if (earlier.isPresent()) {
            return get(earlier.get());
        }
        inferences.insert(id, circuitId, real, padded.stream().map(BigInteger::toString).toList(),
                saltValue == null ? null : saltValue.toString(), commitment, hidden);
        inferences.setBatchRows(id, inputs.size());
        if (callbackUrl != null) {
            jdbc.sql("UPDATE inferences SET callback_url = ? WHERE id = ?").params(callbackUrl.toString(), id).update();
        }
        io.zkml.api.support.Metadata.store(jdbc, json, "inferences", id, metadata);
        // issue 8: one commitment to every row's outputs (padding rows included), its salt drawn if absent;
        // the 202 shows the requester the sent rows' outputs (the Java reference's) once
        BigInteger outputSaltValue = null;
        List<Object> requesterOutputs = null;
        if (hashedOutputs) {
            outputSaltValue = clientOutputSalt != null ? clientOutputSalt : Commitments.randomSalt(random);
            inferences.setOutputCommitment(id, outputSaltValue.toString(),
                    batch.outputCommitment(padded, outputSaltValue).orElseThrow().toString());
            List<List<BigInteger>> rows = batch.evaluate(padded);
            requesterOutputs = new ArrayList<>();
            for (int k = 0; k < inputs.size(); k++) {
                requesterOutputs.add(ProveJobHandler.outputJson(single.dequantize(rows.get(k))));
            }
        }
        jobs.enqueue(JobKind.PROVE, id, workerProps.maxAttempts());
        signal.jobQueued();
        return new Created(inferences.find(id).orElseThrow(), inputs.size(),
                hashed && clientSalt == null ? saltValue.toString() : null,
                hashedOutputs && clientOutputSalt == null ? outputSaltValue.toString() : null, requesterOutputs);
    }

    /** A batch, with its row count; 404 for an unknown id or an inference that is not a batch. */
    public Created get(UUID id) {
        Integer rows = inferences.batchRows(id);
        InferenceRecord r = rows == null ? null : inferences.find(id).orElse(null);
        if (r == null) {
            throw ApiException.notFound("batch", id.toString());
        }
        return new Created(r, rows, null);
    }

    private static ApiException rowProblem(int row, ProblemType type, String detail, Map<String, Object> properties) {
        Map<String, Object> members = new LinkedHashMap<>(properties == null ? Map.of() : properties);
        if (type == ProblemType.INVALID_REQUEST) {
            // a row that is not an array of numbers (or an object by feature name) is a malformed row
            type = ProblemType.INVALID_INPUT;
            members.put("reason", "malformed-row");
        }
        members.put("row", row);
        return new ApiException(type, "row " + row + ": " + detail, members);
    }
}
