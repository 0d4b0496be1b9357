package io.zkml.api.inferences;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.zkml.api.circuits.CircuitRecord;
import io.zkml.api.circuits.CircuitService;
import io.zkml.api.idempotency.IdempotencyKeys;
import io.zkml.api.jobs.JobKind;
import io.zkml.api.jobs.JobRepository;
import io.zkml.api.jobs.JobSignal;
import io.zkml.api.jobs.WorkerProperties;
import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.InputValidationException;

/**
 * Accepts inference requests: the input is checked (count, finite numbers, every feature within
 * its allowed range) and quantized here, before anything is queued, so a bad input is a 422 and
 * never a failed proof.
 */
@Service
public class InferenceService {

    private final InferenceRepository inferences;
    private final CircuitService circuits;
    private final JobRepository jobs;
    private final JobSignal signal;
    private final WorkerProperties workerProps;
    private final IdempotencyKeys idempotency;

    public InferenceService(InferenceRepository inferences, CircuitService circuits, JobRepository jobs,
                            JobSignal signal, WorkerProperties workerProps, IdempotencyKeys idempotency) {
        this.inferences = inferences;
        this.circuits = circuits;
        this.jobs = jobs;
        this.signal = signal;
        this.workerProps = workerProps;
        this.idempotency = idempotency;
    }

    /**
     * Validates and quantizes the input, then stores the inference ({@code queued}) and its prove
     * job in one transaction.
     *
     * @param input the {@code input} member of the request body (may be null or of any JSON type)
     * @param idempotencyKey the request's {@code Idempotency-Key}, or null
     */
    @Transactional
    public InferenceRecord create(UUID circuitId, JsonNode input, String idempotencyKey) {
        CircuitRecord circuit = circuits.getReady(circuitId);
        CompiledCircuit compiled = circuits.compiled(circuit);
        double[] values = numbers(input, compiled.features());
        List<BigInteger> quantized;
        try {
            quantized = compiled.quantizeInput(values);
        } catch (InputValidationException e) {
            throw invalidInput(e.reason().name(), e.getMessage());
        }
        UUID id = UUID.randomUUID();
        List<Double> real = new ArrayList<>(values.length);
        for (double v : values) {
            real.add(v);
        }
        Optional<UUID> earlier = idempotency.claim(idempotencyKey, "POST /v1/circuits/" + circuitId + "/inferences",
                real.toString(), id);
        if (earlier.isPresent()) {
            return get(earlier.get());
        }
        inferences.insert(id, circuitId, real, quantized.stream().map(BigInteger::toString).toList());
        jobs.enqueue(JobKind.PROVE, id, workerProps.maxAttempts());
        signal.jobQueued();
        return inferences.find(id).orElseThrow();
    }

    public InferenceRecord get(UUID id) {
        return inferences.find(id).orElseThrow(() -> ApiException.notFound("inference", id.toString()));
    }

    /**
     * The input as doubles. JSON numbers are taken as they are; {@code NaN}, {@code Infinity} and
     * {@code -Infinity} (bare tokens or strings) become non-finite doubles, which the circuit's
     * check rejects as {@code not-finite}; anything else (null, other strings, objects) is rejected
     * here as {@code not-a-number}.
     */
    static double[] numbers(JsonNode input, List<String> features) {
        if (input == null || input.isMissingNode() || input.isNull()) {
            throw new ApiException(ProblemType.INVALID_REQUEST,
                    "the body needs \"input\": an array of " + features.size() + " numbers in feature order " + features);
        }
        if (!input.isArray()) {
            throw new ApiException(ProblemType.INVALID_REQUEST,
                    "\"input\" must be an array of " + features.size() + " numbers in feature order " + features);
        }
        if (input.size() != features.size()) {
            throw invalidInput("WRONG_COUNT", "expected " + features.size() + " input values, one per feature " + features
                    + ", got " + input.size());
        }
        double[] values = new double[input.size()];
        for (int i = 0; i < input.size(); i++) {
            JsonNode n = input.get(i);
            Double v = null;
            if (n.isNumber()) {
                v = n.doubleValue();
            } else if (n.isString()) {
                v = switch (n.stringValue().strip()) {
                    case "NaN" -> Double.NaN;
                    case "Infinity", "+Infinity" -> Double.POSITIVE_INFINITY;
                    case "-Infinity" -> Double.NEGATIVE_INFINITY;
                    default -> null;
                };
            }
            if (v == null) {
                throw invalidInput("NOT_A_NUMBER", "input " + i + " (feature \"" + features.get(i) + "\") is "
                        + describe(n) + "; inputs must be JSON numbers");
            }
            values[i] = v;
        }
        return values;
    }

    private static String describe(JsonNode n) {
        if (n.isNull()) {
            return "null";
        }
        if (n.isString()) {
            return "the string \"" + abbreviate(n.stringValue()) + "\"";
        }
        if (n.isBoolean()) {
            return n.asString();
        }
        return n.isArray() ? "an array" : n.isObject() ? "an object" : "not a number";
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    private static ApiException invalidInput(String reason, String detail) {
        return new ApiException(ProblemType.INVALID_INPUT, detail,
                Map.of("reason", reason.toLowerCase(Locale.ROOT).replace('_', '-')));
    }
}
