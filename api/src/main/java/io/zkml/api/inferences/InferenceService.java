package io.zkml.api.inferences;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.security.SecureRandom;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

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
import io.zkml.compiler.Inputs;
import io.zkml.compiler.commit.Commitments;
import io.zkml.compiler.ir.CircuitIr;
import io.zkml.compiler.ir.Visibility;

/**
 * Accepts inference requests: the input (an array in feature order, or an object by feature name
 * that is first turned into that array) is checked (count, finite numbers, every feature within
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
    private final SecureRandom random = new SecureRandom();

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
     * @param input the {@code input} member of the request body (may be null or of any JSON type):
     *     an array in feature order, or an object {@code {feature name: value}}
     * @param idempotencyKey the request's {@code Idempotency-Key}, or null
     */
    @Transactional
    public InferenceRecord create(UUID circuitId, JsonNode input, String idempotencyKey) {
        return create(circuitId, input, List.of(), idempotencyKey);
    }

    /**
     * As {@link #create(UUID, JsonNode, String)}, for an {@code input} that may be an object whose
     * duplicated keys the reader noted ({@link InferenceBody}).
     */
    @Transactional
    public InferenceRecord create(UUID circuitId, JsonNode input, List<String> duplicateInputKeys, String idempotencyKey) {
        return create(circuitId, input, duplicateInputKeys, null, idempotencyKey).inference();
    }

    /**
     * A created inference and, when the service drew the salt of its commitment, that salt: the only
     * time it is shown (ADR 0008).
     */
    public record Created(InferenceRecord inference, String drawnSalt, String drawnOutputSalt, Object requesterOutput) {
        public Created(InferenceRecord inference, String drawnSalt) {
            this(inference, drawnSalt, null, null);
        }
    }

    /**
     * As {@link #create(UUID, JsonNode, List, String)}, with the {@code salt} member of the body (null
     * or missing: none). For a circuit with hashed inputs a missing salt is drawn here
     * ({@link Commitments#randomSalt}); the commitment is computed by the Java reference before
     * anything is queued.
     *
     * @throws ApiException {@code invalid-salt} for a salt that is not a decimal string of a field
     *     element in {@code [0, r)}, or a salt for a circuit whose inputs are not hashed
     */
    @Transactional
    public Created create(UUID circuitId, JsonNode input, List<String> duplicateInputKeys, JsonNode salt,
                          String idempotencyKey) {
        return create(circuitId, input, duplicateInputKeys, salt, null, idempotencyKey);
    }

    /**
     * As {@link #create(UUID, JsonNode, List, JsonNode, String)} with the {@code outputSalt} member of the
     * body (issue 8, hashed outputs): the salt of the output commitment, drawn when absent; the 202
     * shows the outputs (the Java reference's, which the proof must match), the output commitment
     * and a drawn output salt, once.
     */
    @Transactional
    public Created create(UUID circuitId, JsonNode input, List<String> duplicateInputKeys, JsonNode salt,
                          JsonNode outputSalt, String idempotencyKey) {
        return create(circuitId, input, duplicateInputKeys, salt, outputSalt, idempotencyKey, null, null);
    }

    /**
     * As {@link #create(UUID, JsonNode, List, JsonNode, JsonNode, String)}, storing the (checked)
     * {@code callbackUrl} and {@code metadata} (issue 9; null: none) in the same {@code INSERT}.
     */
    @Transactional
    public Created create(UUID circuitId, JsonNode input, List<String> duplicateInputKeys, JsonNode salt,
                          JsonNode outputSalt, String idempotencyKey, java.net.URI callbackUrl, Map<String, String> metadata) {
        // issue 9: a concurrent DELETE of the circuit waits, or was first (404); ADR 0027: the lock,
        // the circuit and its batch size in one query
        io.zkml.api.circuits.CircuitRepository.ForUse forUse = circuits.lockReady(circuitId);
        CircuitRecord circuit = forUse.circuit();
        int batchSize = forUse.batchSize();
        if (batchSize > 1) {
            // issue 8: a batch circuit's keys prove batchSize rows; its rows go to POST .../batches
            throw new ApiException(ProblemType.INVALID_INPUT, "circuit " + circuitId + " proves batches of " + batchSize
                    + " rows: POST /v1/circuits/" + circuitId + "/batches with {\"inputs\": [[...], ...]}",
                    Map.of("reason", "batch-circuit", "batchSize", batchSize));
        }
        CompiledCircuit compiled = circuits.compiled(circuit);
        boolean hashed = compiled.inputVisibility() == Visibility.HASHED;
        boolean hidden = compiled.inputVisibility() != Visibility.PUBLIC;
        boolean hashedOutputs = compiled.ir().hasHashedOutputs();
        BigInteger clientSalt = salt(salt, hashed);
        BigInteger clientOutputSalt = outputSalt(outputSalt, hashedOutputs);
        double[] values = numbers(input, duplicateInputKeys, compiled.features());
        List<BigInteger> quantized;
        try {
            quantized = compiled.quantizeInput(values);
        } catch (InputValidationException e) {
            throw invalidInput(e.reason().name(), e.getMessage());
        }
        BigInteger saltValue = !hashed ? null : clientSalt != null ? clientSalt : Commitments.randomSalt(random);
        String commitment = hashed ? compiled.commitment(quantized, saltValue).orElseThrow().toString() : null;
        UUID id = UUID.randomUUID();
        List<Double> real = new ArrayList<>(values.length);
        for (double v : values) {
            real.add(v);
        }
        // A hidden input leaves no brute-forceable trace in the idempotency table: the fingerprint is
        // the commitment under the client's salt (hiding), or nothing but the key (ADR 0008).
        String fingerprint = !hidden ? real.toString()
                : clientSalt != null ? "commitment:" + commitment : "hidden input, salt " + (hashed ? "drawn" : "none");
        Optional<UUID> earlier = idempotency.claim(idempotencyKey, "POST /v1/circuits/" + circuitId + "/inferences",
                fingerprint, id);
        if (earlier.isPresent()) {
            // a replay: a callback URL or metadata the first request lacked are added, as before ADR 0027
            inferences.addCallbackAndMetadata(earlier.get(), callbackUrl == null ? null : callbackUrl.toString(), metadata);
            return new Created(get(earlier.get()), null);
        }
        Object requesterOutput = null;
        BigInteger outputSaltValue = null;
        String outputCommitment = null;
        if (hashedOutputs) {
            outputSaltValue = clientOutputSalt != null ? clientOutputSalt : Commitments.randomSalt(random);
            List<BigInteger> out = compiled.evaluate(quantized);
            outputCommitment = compiled.outputCommitmentOf(out, outputSaltValue).orElseThrow().toString();
            requesterOutput = ProveJobHandler.outputJson(compiled.dequantize(out));
        }
        // issue 9 (ADR 0027): one INSERT ... RETURNING stores the row with everything the request gave
        InferenceRecord stored = inferences.insert(new InferenceRepository.NewInference(id, circuitId, real,
                quantized.stream().map(BigInteger::toString).toList(), saltValue == null ? null : saltValue.toString(),
                commitment, hidden, outputSaltValue == null ? null : outputSaltValue.toString(), outputCommitment,
                callbackUrl == null ? null : callbackUrl.toString(), metadata));
        jobs.enqueue(JobKind.PROVE, id, workerProps.maxAttempts());
        signal.jobQueued();
        return new Created(stored,
                hashed && clientSalt == null ? saltValue.toString() : null,
                hashedOutputs && clientOutputSalt == null ? outputSaltValue.toString() : null, requesterOutput);
    }

    private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,77}");

    /** Issue 8: the client's output salt (hashed outputs only): null if absent, else a canonical decimal of a field element. */
    static BigInteger outputSalt(JsonNode salt, boolean hashedOutputs) {
        if (salt == null || salt.isMissingNode() || salt.isNull()) {
            return null;
        }
        if (!hashedOutputs) {
            throw new ApiException(ProblemType.INVALID_SALT, "this circuit's outputs are not hashed, so it takes no \"outputSalt\"",
                    Map.of("field", "outputSalt"));
        }
        if (!salt.isString() || !DECIMAL.matcher(salt.stringValue()).matches()
                || new BigInteger(salt.stringValue()).compareTo(CircuitIr.BN254_R) >= 0) {
            throw new ApiException(ProblemType.INVALID_SALT, "\"outputSalt\" must be a decimal string of a field element in [0, r), "
                    + "r = " + CircuitIr.BN254_R + " (no sign, no leading zeros)", Map.of("field", "outputSalt"));
        }
        return new BigInteger(salt.stringValue());
    }

    /** The client's salt: null if absent, else a canonical decimal string of a field element. */
    static BigInteger salt(JsonNode salt, boolean hashed) {
        if (salt == null || salt.isMissingNode() || salt.isNull()) {
            return null;
        }
        if (!hashed) {
            throw new ApiException(ProblemType.INVALID_SALT, "this circuit's inputs are not hashed, so it takes no \"salt\"",
                    Map.of("field", "salt"));
        }
        if (!salt.isString() || !DECIMAL.matcher(salt.stringValue()).matches()
                || new BigInteger(salt.stringValue()).compareTo(CircuitIr.BN254_R) >= 0) {
            throw new ApiException(ProblemType.INVALID_SALT, "\"salt\" must be a decimal string of a field element in [0, r), "
                    + "r = " + CircuitIr.BN254_R + " (no sign, no leading zeros)", Map.of("field", "salt"));
        }
        return new BigInteger(salt.stringValue());
    }

    /**
     * Creates an inference of already quantized inputs (e.g. the public input words of an on-chain
     * oracle request, as signed integers) and queues its proof, in the caller's transaction.
     *
     * @throws InputValidationException if the count or a value is outside the circuit's input range
     *     (the circuit's range checks would refuse it: no proof exists)
     */
    @Transactional
    public InferenceRecord createQuantized(UUID circuitId, List<BigInteger> quantized) throws InputValidationException {
        CircuitRecord circuit = circuits.getReady(circuitId);
        CompiledCircuit compiled = circuits.compiled(circuit);
        compiled.checkQuantizedInput(quantized);
        double unit = Math.scalb(1.0, -compiled.quantization().inputScale());
        List<Double> real = quantized.stream().map(q -> q.doubleValue() * unit).toList();
        UUID id = UUID.randomUUID();
        inferences.insert(id, circuitId, real, quantized.stream().map(BigInteger::toString).toList());
        jobs.enqueue(JobKind.PROVE, id, workerProps.maxAttempts());
        signal.jobQueued();
        return inferences.find(id).orElseThrow();
    }

    /** As {@link #get}, for {@code GET /v1/inferences/{id}}: a batch (issue 8) is read at {@code /v1/batches/{id}}. */
    public InferenceRecord getInference(UUID id) {
        return getInferenceRow(id).record();
    }

    /**
     * Issue 9 (ADR 0027): as {@link #getInference}, with the callback URL, in one query (a batch is a
     * 404 here as there).
     */
    public InferenceRepository.Row getInferenceRow(UUID id) {
        InferenceRepository.Row row = inferences.findRow(id).orElseThrow(() -> ApiException.notFound("inference", id.toString()));
        if (row.batchRows() != null) {
            throw ApiException.notFound("inference", id.toString());
        }
        return row;
    }

    public InferenceRecord get(UUID id) {
        return inferences.find(id).orElseThrow(() -> ApiException.notFound("inference", id.toString()));
    }

    /**
     * The input as doubles, in the circuit's feature order. An object {@code {name: value}} (every
     * feature exactly once) is first turned into the array of its values in feature order, so that
     * it is checked and proven exactly like that array.
     *
     * <p>JSON numbers are taken as they are; {@code NaN}, {@code Infinity} and {@code -Infinity}
     * (bare tokens or strings) become non-finite doubles, which the circuit's check rejects as
     * {@code not-finite}; anything else (null, other strings, objects) is rejected here as
     * {@code not-a-number}.
     *
     * @param duplicateKeys keys that occur more than once in an {@code input} object (the parsed
     *     tree keeps only the last value of each); a non-empty list is an {@code invalid-request}
     */
    static double[] numbers(JsonNode input, List<String> duplicateKeys, List<String> features) {
        if (input == null || input.isMissingNode() || input.isNull()) {
            throw new ApiException(ProblemType.INVALID_REQUEST, "the body needs \"input\": an array of " + features.size()
                    + " numbers in feature order " + features + ", or an object {feature name: number} naming each feature once");
        }
        if (input.isObject()) {
            input = inFeatureOrder(input, duplicateKeys, features);
        }
        if (!input.isArray()) {
            throw new ApiException(ProblemType.INVALID_REQUEST, "\"input\" must be an array of " + features.size()
                    + " numbers in feature order " + features + ", or an object {feature name: number} naming each feature once");
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

    /**
     * An input by name as the array of its values in feature order (the values are not checked
     * here: the array is checked like any other).
     *
     * @throws ApiException {@code invalid-request} for a duplicated name; {@code invalid-input}
     *     ({@code unknown-features} or {@code missing-features}) naming every unknown and every
     *     missing feature
     */
    static ArrayNode inFeatureOrder(JsonNode input, List<String> duplicateKeys, List<String> features) {
        if (!duplicateKeys.isEmpty()) {
            throw new ApiException(ProblemType.INVALID_REQUEST, "\"input\" names " + quoted(duplicateKeys)
                    + " more than once; an input by name gives each feature exactly once");
        }
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : input.properties()) {
            byName.put(e.getKey(), e.getValue());
        }
        List<JsonNode> values;
        try {
            values = Inputs.byName(features, byName);
        } catch (Inputs.FeatureNamesException e) {
            List<String> unknown = e.unknown();
            List<String> missing = e.missing();
            StringBuilder detail = new StringBuilder("\"input\" ");
            if (!unknown.isEmpty()) {
                detail.append("names ").append(unknown.size() == 1 ? "an unknown feature " : "unknown features ")
                        .append(quoted(unknown));
            }
            if (!missing.isEmpty()) {
                detail.append(unknown.isEmpty() ? "" : " and ").append("lacks ")
                        .append(missing.size() == 1 ? "the feature " : "the features ").append(quoted(missing));
            }
            detail.append("; this circuit's features are ").append(quoted(features));
            Map<String, Object> members = new LinkedHashMap<>();
            members.put("reason", unknown.isEmpty() ? "missing-features" : "unknown-features");
            members.put("unknownFeatures", unknown);
            members.put("missingFeatures", missing);
            members.put("features", features);
            throw new ApiException(ProblemType.INVALID_INPUT, detail.toString(), members);
        }
        ArrayNode ordered = JsonNodeFactory.instance.arrayNode(features.size());
        values.forEach(ordered::add);
        return ordered;
    }

    private static String quoted(List<String> names) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < names.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append('"').append(abbreviate(names.get(i))).append('"');
        }
        return sb.append(']').toString();
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
