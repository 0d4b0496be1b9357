package io.zkml.api.circuits;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.zkml.api.artifacts.ArtifactRepository;
import io.zkml.api.idempotency.IdempotencyKeys;
import io.zkml.api.jobs.JobKind;
import io.zkml.api.jobs.JobRepository;
import io.zkml.api.jobs.JobSignal;
import io.zkml.api.jobs.WorkerProperties;
import io.zkml.api.models.ModelRecord;
import io.zkml.api.models.ModelService;
import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;
import io.zkml.api.runtime.RuntimeProperties;
import io.zkml.api.setup.SetupProperties;
import io.zkml.api.setup.SetupTrust;
import io.zkml.api.support.Json;
import io.zkml.api.support.LruCache;
import io.zkml.compiler.BatchCircuit;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.FeatureRange;
import io.zkml.compiler.QuantizationSettings;
import io.zkml.compiler.ir.IrValidationException;
import io.zkml.prover.ProvingSystem;

/** Creates circuits (a compile job does the work) and reads them and their artifacts. */
@Service
public class CircuitService {

    /** The default proving system. */
    public static final String GROTH16 = "groth16";
    /** PLONK over BN254 with KZG (issue 7). */
    public static final String PLONK = "plonk";

    private final CircuitRepository circuits;
    private final ModelService models;
    private final ArtifactRepository artifacts;
    private final JobRepository jobs;
    private final JobSignal signal;
    private final WorkerProperties workerProps;
    private final IdempotencyKeys idempotency;
    private final Json json;
    private final LruCache<String, CompiledCircuit> compiled = new LruCache<>(32);
    private final SetupProperties setupProps;
    private final RuntimeProperties runtime;
    private final CircuitProperties circuitProps;

    public CircuitService(CircuitRepository circuits, ModelService models, ArtifactRepository artifacts,
                          JobRepository jobs, JobSignal signal, WorkerProperties workerProps, IdempotencyKeys idempotency,
                          Json json, SetupProperties setupProps, RuntimeProperties runtime, CircuitProperties circuitProps) {
        this.circuitProps = circuitProps;
        this.setupProps = setupProps;
        this.runtime = runtime;
        this.circuits = circuits;
        this.models = models;
        this.artifacts = artifacts;
        this.jobs = jobs;
        this.signal = signal;
        this.workerProps = workerProps;
        this.idempotency = idempotency;
        this.json = json;
    }

    /**
     * A {@code POST /v1/models/{id}/circuits} request; every field may be null for its default.
     *
     * @param output issue 6: null, the model's own output; {@code "argmax"}, a network's scores end in an
     *     argmax (label: the labels given at upload, else the score index)
     * @param batchSize issue 8: null or 1, no batches; at most {@link BatchCircuit#MAX_BATCH_SIZE}: the
     *     compile job then compiles the {@link BatchCircuit} of that many rows
     * @param rangeCheck issue 7: null or {@link RangeCheck#BITS}; {@code lookup} is gnark's std/rangecheck
     *     ({@link RangeCheck#resolve}), the compile job writes {@code "range_check": "lookup"} into the IR
     * @param workerTags issue 9: the capability tags a worker needs to prove for the circuit (null or
     *     empty: any worker)
     * @param metadata issue 9: the request's free-form metadata map
     */
    public record NewCircuit(String provingSystem, QuantizationRequest quantization, VisibilityRequest visibility,
                             SetupRequest setup, String output, Integer batchSize, String rangeCheck,
                             List<String> workerTags, Map<String, String> metadata, tools.jackson.databind.JsonNode weightsSalt) {

        public NewCircuit(String provingSystem, QuantizationRequest quantization, VisibilityRequest visibility,
                          SetupRequest setup, String output, Integer batchSize, String rangeCheck,
                          List<String> workerTags, Map<String, String> metadata) {
            this(provingSystem, quantization, visibility, setup, output, batchSize, rangeCheck, workerTags, metadata, null);
        }
    }

    /** The model families whose circuits can have hashed weights (dense layers only; issue 8). */
    public static final List<String> HASHED_WEIGHTS_FAMILIES = List.of("linear", "mlp");

    /**
     * The {@code weightsSalt} of a request (issue 8): null if absent, else a canonical decimal string
     * of a field element; only for hashed weights.
     *
     * @throws ApiException {@code invalid-salt} ({@code field: weightsSalt})
     */
    static java.math.BigInteger weightsSalt(tools.jackson.databind.JsonNode salt, boolean hashed) {
        if (salt == null || salt.isMissingNode() || salt.isNull()) {
            return null;
        }
        if (!hashed) {
            throw new ApiException(ProblemType.INVALID_SALT, "this circuit's weights are not hashed, so it takes no \"weightsSalt\"",
                    Map.of("field", "weightsSalt"));
        }
        if (!salt.isString() || !salt.stringValue().matches("0|[1-9][0-9]{0,80}")
                || new java.math.BigInteger(salt.stringValue()).compareTo(io.zkml.compiler.ir.CircuitIr.BN254_R) >= 0) {
            throw new ApiException(ProblemType.INVALID_SALT, "\"weightsSalt\" must be a decimal string of a field element in [0, r), "
                    + "r = " + io.zkml.compiler.ir.CircuitIr.BN254_R + " (no sign, no leading zeros)", Map.of("field", "weightsSalt"));
        }
        return new java.math.BigInteger(salt.stringValue());
    }

    /** At most this many {@code workerTags} on a circuit. */
    public static final int MAX_WORKER_TAGS = 8;

    /**
     * The {@code workerTags} of a request (issue 9), stripped, lower-cased, distinct and sorted: each
     * a capability tag as workers announce them ({@code zkml.worker.tags}), 1 to 32 of
     * {@code a-z 0-9 . _ -}, at most {@link #MAX_WORKER_TAGS}.
     *
     * @throws ApiException {@code invalid-request} naming the field
     */
    static List<String> workerTags(List<String> tags) {
        if (tags == null) {
            return List.of();
        }
        if (tags.size() > MAX_WORKER_TAGS) {
            throw new ApiException(ProblemType.INVALID_REQUEST, "workerTags has " + tags.size()
                    + " tags, at most " + MAX_WORKER_TAGS + " are allowed", Map.of("field", "workerTags"));
        }
        java.util.TreeSet<String> out = new java.util.TreeSet<>();
        for (String t : tags) {
            String tag = t == null ? "" : t.strip().toLowerCase(Locale.ROOT);
            if (!tag.matches("[a-z0-9][a-z0-9._-]{0,31}")) {
                throw new ApiException(ProblemType.INVALID_REQUEST, "workerTags must be tags of 1 to 32 characters "
                        + "a-z 0-9 . _ - (starting with a letter or digit), like the workers' zkml.worker.tags",
                        Map.of("field", "workerTags"));
            }
            out.add(tag);
        }
        return List.copyOf(out);
    }

    /**
     * Checks the request, then stores the circuit ({@code queued}) and its compile job in one
     * transaction. Only what needs no compilation is checked here ({@link #settings}); what only
     * compiling finds (an overflow, ...) fails the compile job, and the circuit becomes
     * {@code failed} with the compiler's message as its {@code error}.
     */
    @Transactional
    public CircuitRecord create(UUID modelId, NewCircuit r, String idempotencyKey) {
        String provingSystem = r.provingSystem();
        QuantizationRequest quantization = r.quantization();
        VisibilityRequest visibility = r.visibility();
        SetupRequest setup = r.setup();
        String output = r.output();
        Integer batchSize = r.batchSize();
        String rangeCheck = r.rangeCheck();
        Map<String, String> metadata = r.metadata();
        List<String> workerTags = workerTags(r.workerTags());
        if (batchSize != null && (batchSize < 1 || batchSize > BatchCircuit.MAX_BATCH_SIZE)) {
            throw new ApiException(ProblemType.INVALID_REQUEST, "batchSize must be an integer from 1 (no batches) to "
                    + BatchCircuit.MAX_BATCH_SIZE + ", got " + batchSize, Map.of("field", "batchSize"));
        }
        int batch = batchSize == null ? 1 : batchSize;
        if (output != null && !output.equals("argmax")) {
            throw new ApiException(ProblemType.INVALID_REQUEST, "output must be \"argmax\" or absent, got \"" + output + "\"");
        }
        if (output != null) {
            ModelRecord m = models.get(modelId);
            if (!"mlp".equals(m.family()) || m.outputs().size() < 2) {
                throw new ApiException(ProblemType.INVALID_REQUEST, "\"output\": \"argmax\" needs a network (family mlp) with at least 2 scores; this model is "
                        + m.family() + " with " + m.outputs().size() + " output(s)");
            }
        }
        VisibilityRequest vis = (visibility == null ? VisibilityRequest.DEFAULT : visibility).normalized();
        java.math.BigInteger weightsSalt = weightsSalt(r.weightsSalt(), vis.hashedWeights());
        if (vis.hashedWeights() && batch > 1) {
            throw new ApiException(ProblemType.UNSUPPORTED_VISIBILITY, "visibility.weights 'hashed' is not supported with "
                    + "batchSize > 1 yet; hashed weights prove one inference per proof",
                    Map.of("field", "visibility.weights", "supported", List.of("fixed")));
        }
        // issue 9: held until the circuit is stored, so a concurrent DELETE of the model waits or was first (404)
        circuits.lockModelForUse(modelId).orElseThrow(() -> ApiException.notFound("model", modelId.toString()));
        ModelRecord model = models.get(modelId);
        if (vis.hashedWeights() && !HASHED_WEIGHTS_FAMILIES.contains(model.family())) {
            throw new ApiException(ProblemType.UNSUPPORTED_VISIBILITY, "visibility.weights 'hashed' is supported for linear "
                    + "models and networks (families " + String.join(", ", HASHED_WEIGHTS_FAMILIES) + ": Tribuo linear models, "
                    + "ONNX Gemm/MatMul/LinearClassifier/LinearRegressor networks); this model is of the " + model.family()
                    + " family (tree ensembles keep fixed weights)",
                    Map.of("field", "visibility.weights", "supportedFamilies", HASHED_WEIGHTS_FAMILIES));
        }
        if (vis.hashedWeights() && models.imported(modelId).structure() instanceof io.zkml.compiler.model.ConvNetStructure) {
            // ADR 0025: only dense weights can be witness; a convolution's kernel is a constant of the circuit
            throw new ApiException(ProblemType.UNSUPPORTED_VISIBILITY, "visibility.weights 'hashed' is supported for dense "
                    + "layers only (linear models and fully connected networks); this model is a convolutional network, whose "
                    + "Conv kernels stay fixed in the circuit",
                    Map.of("field", "visibility.weights", "supportedFamilies", HASHED_WEIGHTS_FAMILIES));
        }
        String system = provingSystem == null || provingSystem.isBlank() ? GROTH16
                : provingSystem.strip().toLowerCase(Locale.ROOT);
        if (!GROTH16.equals(system) && !PLONK.equals(system)) {
            throw new ApiException(ProblemType.UNSUPPORTED_PROVING_SYSTEM,
                    "provingSystem '" + provingSystem + "' is not supported; API v1 offers 'groth16', 'plonk'",
                    Map.of("supportedProvingSystems", List.of(GROTH16, PLONK)));
        }
        String rc = RangeCheck.resolve(rangeCheck, system, setup == null ? null : setup.trust());
        SetupTrust trust = SetupTrust.resolve(ProvingSystem.of(system), setup == null ? null : setup.trust(),
                runtime.mode(), setupProps.ptauPath() != null);
        QuantizationRequest request = quantization == null ? QuantizationRequest.empty() : quantization;
        settings(request, model);
        UUID id = UUID.randomUUID();
        // the fingerprint of a request without visibility is what it was before visibility existed
        String fingerprint = system + "\n" + json.write(request)
                + (vis.equals(VisibilityRequest.DEFAULT) ? "" : "\n" + json.write(vis))
                + (setup == null ? "" : "\nsetup " + trust.id())
                + (output == null ? "" : "\noutput=" + output)
                + (batch == 1 ? "" : "\nbatchSize=" + batch)
                + (RangeCheck.BITS.equals(rc) ? "" : "\nrangeCheck=" + rc)
                + (workerTags.isEmpty() ? "" : "\nworkerTags=" + String.join(",", workerTags))
                + (weightsSalt == null ? "" : "\nweightsSalt=" + weightsSalt)
                + io.zkml.api.support.Metadata.fingerprint(metadata, json);
        Optional<UUID> earlier = idempotency.claim(idempotencyKey, "POST /v1/models/" + modelId + "/circuits",
                fingerprint, id);
        if (earlier.isPresent()) {
            return get(earlier.get());
        }
        circuits.insert(id, modelId, system, request, vis, trust.id());
        if (output != null) {
            circuits.setOutput(id, output);
        }
        if (batch > 1) {
            circuits.setBatchSize(id, batch);
        }
        if (!RangeCheck.BITS.equals(rc)) {
            circuits.setRangeCheck(id, rc);
        }
        if (!workerTags.isEmpty()) {
            circuits.setWorkerTags(id, workerTags);
        }
        circuits.setMetadata(id, metadata);
        drawnWeightsSalt.remove();
        if (vis.hashedWeights()) {
            // issue 8 (ADR 0025): one salt per circuit, drawn here unless the client sent one; the 202 shows a drawn one once
            java.math.BigInteger s = weightsSalt;
            if (s == null) {
                s = io.zkml.compiler.commit.Commitments.randomSalt(new java.security.SecureRandom());
                drawnWeightsSalt.set(s.toString());
            }
            circuits.setWeightsSalt(id, s.toString());
        }
        jobs.enqueue(JobKind.COMPILE, id, workerProps.maxAttempts());
        signal.jobQueued();
        return circuits.find(id).orElseThrow();
    }

    /**
     * The compiler's settings for a request, checked against the model without compiling: the
     * scales within the compiler's limits, one finite range ({@code min <= max}) per feature, sample
     * rows of one finite value per feature, and some source of input ranges (declared, samples, or
     * the model's training ranges). These are the compiler's own checks of the settings; whatever
     * else it rejects is found by the compile job.
     *
     * @throws ApiException {@code invalid-quantization-settings}
     */
    QuantizationSettings settings(QuantizationRequest request, ModelRecord model) {
        int maxSamples = circuitProps.maxSampleInputs();
        if (request.sampleInputs() != null && request.sampleInputs().size() > maxSamples) {
            throw new ApiException(ProblemType.INVALID_QUANTIZATION_SETTINGS, "sampleInputs has "
                    + request.sampleInputs().size() + " rows, more than the limit of " + maxSamples
                    + " (zkml.circuits.max-sample-inputs)",
                    Map.of("field", "quantization.sampleInputs", "maxSampleInputs", maxSamples));
        }
        QuantizationSettings settings;
        try {
            settings = request.toSettings(model.features());
        } catch (IllegalArgumentException e) {
            throw new ApiException(ProblemType.INVALID_QUANTIZATION_SETTINGS, e.getMessage());
        }
        boolean declaredOrSampled = settings.inputRanges() != null
                || settings.sampleInputs() != null && !settings.sampleInputs().isEmpty();
        if (!declaredOrSampled) {
            List<FeatureRange> training = models.imported(model.id()).trainingRanges();
            if (training == null || training.size() != model.features().size()) {
                throw new ApiException(ProblemType.INVALID_QUANTIZATION_SETTINGS,
                        "no input ranges: declare inputRanges or give sampleInputs (this model has no training ranges)");
            }
        }
        return settings;
    }

    public CircuitRecord get(UUID id) {
        return circuits.find(id).orElseThrow(() -> ApiException.notFound("circuit", id.toString()));
    }

    private record Ready(CircuitRecord circuit, long until) {
    }

    /** Issue 9 (ADR 0027): ready circuits read by prove jobs, kept {@value #READY_CACHE_MILLIS} ms. */
    static final long READY_CACHE_MILLIS = 5000;
    private final LruCache<UUID, Ready> ready = new LruCache<>(256);

    /**
     * Issue 9 (ADR 0027): the circuit of a claimed prove job. A {@code ready} circuit's row does not
     * change while it has a running job (a DELETE is refused then, ADR 0022; nothing else writes a
     * ready circuit's columns a proof reads), so a ready record is kept for a few seconds instead of
     * being read per proof; any other status is read each time.
     */
    public CircuitRecord getForProof(UUID id) {
        long now = System.nanoTime() / 1_000_000;
        Ready r = ready.peek(id);
        if (r != null && now < r.until()) {
            return r.circuit();
        }
        CircuitRecord c = get(id);
        ready.remove(id);
        if (c.status() == CircuitStatus.READY) {
            ready.getUnchecked(id, k -> new Ready(c, now + READY_CACHE_MILLIS));
        }
        return c;
    }

    /**
     * Issue 9: in a transaction that is about to insert rows referring to the circuit (inferences,
     * batches), holds it {@code FOR KEY SHARE} until the end: a concurrent {@code DELETE} either waits
     * for this transaction (and then cancels what it queued) or was first (then this is a 404, not a
     * foreign-key failure).
     */
    public void lockForUse(UUID id) {
        circuits.lockForUse(id).orElseThrow(() -> ApiException.notFound("circuit", id.toString()));
    }

    /**
     * Issue 9 (ADR 0027): {@link #lockForUse}, {@link #getReady} and {@link #batchSize} in one query:
     * the circuit, locked {@code FOR KEY SHARE} until the transaction ends, that must be {@code ready}
     * (404, or 409 {@code circuit-not-ready}).
     */
    public CircuitRepository.ForUse lockReady(UUID id) {
        CircuitRepository.ForUse f = circuits.findForUse(id).orElseThrow(() -> ApiException.notFound("circuit", id.toString()));
        if (f.circuit().status() != CircuitStatus.READY) {
            throw notReady(f.circuit());
        }
        return f;
    }

    /** A circuit that must be {@code ready}; 409 {@code circuit-not-ready} otherwise. */
    public CircuitRecord getReady(UUID id) {
        CircuitRecord c = get(id);
        if (c.status() != CircuitStatus.READY) {
            throw notReady(c);
        }
        return c;
    }

    static ApiException notReady(CircuitRecord c) {
        String why = c.status() == CircuitStatus.FAILED ? " (it failed: " + c.error() + ")"
                : "; poll GET /v1/circuits/" + c.id() + " until it is ready";
        return new ApiException(ProblemType.CIRCUIT_NOT_READY,
                "circuit " + c.id() + " is " + c.status().dbName() + why, Map.of("circuitStatus", c.status().dbName()));
    }

    /** The IR bytes (as stored, hashed to the circuit hash). */
    public byte[] ir(UUID id) {
        CircuitRecord c = get(id);
        if (c.irSha256() == null) {
            throw c.status() == CircuitStatus.FAILED ? notReady(c) : new ApiException(ProblemType.CIRCUIT_NOT_READY,
                    "circuit " + c.id() + " is " + c.status().dbName() + " and has no IR yet",
                    Map.of("circuitStatus", c.status().dbName()));
        }
        return artifact(c.irSha256());
    }

    /** The Solidity verifier source of a ready circuit. */
    public String verifierSource(UUID id) {
        CircuitRecord c = getReady(id);
        return new String(artifact(c.verifierSha256()), StandardCharsets.UTF_8);
    }

    /**
     * The verifying-key file of a ready circuit, exactly as stored: its SHA-256 is the circuit's
     * {@code verifyingKeyHash}.
     */
    public byte[] verifyingKey(UUID id) {
        CircuitRecord c = getReady(id);
        return artifact(c.vkSha256());
    }

    /** The rows one proof of the circuit covers (issue 8; 1: no batches). */
    public int batchSize(UUID id) {
        return circuits.batchSize(id);
    }

    /** The compile job's steps, in order (issue 9, docs/operations.md "Progress"). */
    public static final List<String> STEPS = List.of("compile", "constraint-system", "setup", "export");

    /**
     * Issue 9: how far the circuit's setup is, where it can be known honestly, or null: while the
     * compile job runs (compiling, setting_up) the step it is on and the share of steps finished
     * (steps, not time: a setup step can take longer than the others together); while a ceremony
     * awaits contributions, the external contributions so far against the minimum.
     */
    public Map<String, Object> progress(CircuitRecord c) {
        if (c.status() == CircuitStatus.COMPILING || c.status() == CircuitStatus.SETTING_UP) {
            String step = circuits.step(c.id());
            int done = step == null ? 0 : Math.max(0, STEPS.indexOf(step));
            return progress(step == null ? STEPS.get(0) : step, done, STEPS.size());
        }
        if (c.status() == CircuitStatus.AWAITING_CONTRIBUTIONS) {
            int[] k = circuits.ceremonyContributions(c.id());
            if (k != null) {
                return progress("contributions", Math.min(k[0], k[1]), k[1]);
            }
        }
        return null;
    }

    private static Map<String, Object> progress(String step, int done, int steps) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("step", step);
        m.put("stepsDone", done);
        m.put("steps", steps);
        m.put("percent", steps == 0 ? 100 : done * 100 / steps);
        return m;
    }

    /** The circuit request's metadata map (issue 9), or null. */
    public Map<String, String> metadata(UUID id) {
        return circuits.metadata(id);
    }

    /** The circuit's required worker tags (issue 9; empty: any worker). */
    public List<String> workerTags(UUID id) {
        return circuits.workerTags(id);
    }

    /** The circuit's range checks (issue 7): {@link RangeCheck#BITS} or {@link RangeCheck#LOOKUP}. */
    public String rangeCheck(UUID id) {
        return circuits.rangeCheck(id);
    }

    /** The circuit's output mode (issue 6): {@code "argmax"}, or null for the model's own output. */
    public String output(UUID id) {
        return circuits.output(id);
    }

    /** Issue 8: the salt {@link #create} drew for hashed weights in this thread's last call, once (null otherwise). */
    public String takeDrawnWeightsSalt() {
        String s = drawnWeightsSalt.get();
        drawnWeightsSalt.remove();
        return s;
    }

    private final ThreadLocal<String> drawnWeightsSalt = new ThreadLocal<>();

    /** Issue 8: the circuit's hashed weights (artifact, salt, commitment), or empty for fixed weights. */
    public Optional<CircuitRepository.HashedWeightsInfo> hashedWeights(UUID id) {
        return circuits.hashedWeights(id);
    }

    private final LruCache<String, BatchCircuit> batches = new LruCache<>(8);

    /**
     * The batch circuit of a compiled circuit whose batch size is above 1: the one-row IR repeated,
     * checked to be the IR the circuit's keys were made for.
     */
    public BatchCircuit batch(CircuitRecord c) {
        String single = circuits.singleIr(c.id());
        int n = circuits.batchSize(c.id());
        if (single == null || n < 2) {
            throw new IllegalStateException("circuit " + c.id() + " has no batches");
        }
        BatchCircuit b = batches.get(single + "/" + n, k -> {
            try {
                return BatchCircuit.of(CompiledCircuit.fromIr(artifact(single)), n);
            } catch (IrValidationException e) {
                throw new IllegalStateException("stored IR " + single + " of circuit " + c.id() + " is invalid: " + e.getMessage(), e);
            }
        });
        if (!b.circuitHash().equals(c.circuitHash())) {
            throw new IllegalStateException("the batch IR of circuit " + c.id() + " hashes to " + b.circuitHash()
                    + ", its keys were made for " + c.circuitHash());
        }
        return b;
    }

    /** The compiled circuit (parsed IR) of a circuit that has an IR. */
    public CompiledCircuit compiled(CircuitRecord c) {
        // issue 8: circuits of one architecture share an IR but not their weights: the key names both
        String weightsSha = c.visibility() != null && c.visibility().hashedWeights()
                ? circuits.hashedWeights(c.id()).map(CircuitRepository.HashedWeightsInfo::weightsSha256).orElse(null) : null;
        if (weightsSha != null) {
            return compiled.get(c.irSha256() + "+" + weightsSha, key -> {
                try {
                    return CompiledCircuit.fromIr(artifact(c.irSha256()),
                            io.zkml.compiler.HashedWeights.read(artifact(weightsSha), c.circuitHash()));
                } catch (IrValidationException | IllegalArgumentException e) {
                    throw new IllegalStateException("stored IR " + c.irSha256() + " or weights " + weightsSha + " of circuit "
                            + c.id() + " is invalid: " + e.getMessage(), e);
                }
            });
        }
        return compiled.get(c.irSha256(), sha -> {
            try {
                return CompiledCircuit.fromIr(artifact(sha));
            } catch (IrValidationException e) {
                throw new IllegalStateException("stored IR " + sha + " of circuit " + c.id() + " is invalid: " + e.getMessage(), e);
            }
        });
    }

    private byte[] artifact(String sha) {
        return artifacts.find(sha).orElseThrow(() -> new IllegalStateException("artifact " + sha + " is missing")).bytes();
    }
}
