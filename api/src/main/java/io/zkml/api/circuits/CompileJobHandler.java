package io.zkml.api.circuits;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

import io.zkml.api.artifacts.ArtifactFileCache;
import io.zkml.api.artifacts.ArtifactKind;
import io.zkml.api.artifacts.ArtifactRepository;
import io.zkml.api.artifacts.ArtifactVersions;
import io.zkml.api.artifacts.ServiceVersions;
import io.zkml.api.jobs.Job;
import io.zkml.api.jobs.JobContext;
import io.zkml.api.jobs.JobFailedException;
import io.zkml.api.jobs.JobHandler;
import io.zkml.api.jobs.JobKind;
import io.zkml.api.models.ModelRecord;
import io.zkml.api.models.ModelService;
import io.zkml.api.runtime.RuntimeProperties;
import io.zkml.api.setup.SetupProperties;
import io.zkml.api.setup.SetupTrust;
import io.zkml.compiler.BatchCircuit;
import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.CompilationException;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.ir.IrValidationException;
import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.ErrorCode;
import io.zkml.prover.KeyInfo;
import io.zkml.prover.NativeProverException;
import io.zkml.prover.Prover;
import io.zkml.prover.ProvingSystem;
import io.zkml.prover.SetupOptions;
import io.zkml.prover.SetupResult;
import io.zkml.prover.VerifyingKey;

/**
 * The compile job: quantize and lower the model to the IR (circuit-compiler), compile the IR to a
 * constraint system of the circuit's proving system (gnark: R1CS for Groth16, sparse R1CS for
 * PLONK), run the setup (Groth16: single-party; PLONK: on the configured powers-of-tau file, or a
 * locally drawn SRS in development mode) and export the Solidity verifier. Every artifact goes to
 * PostgreSQL, content-addressed, with the versions that made it; the keys' headers name the
 * system, the circuit hash and the SRS, and the circuit records the setup's trust and SRS hash.
 */
@Component
class CompileJobHandler implements JobHandler {

    private static final Logger log = LoggerFactory.getLogger(CompileJobHandler.class);

    private final CircuitRepository circuits;
    private final ModelService models;
    private final ArtifactRepository artifacts;
    private final ArtifactFileCache files;
    private final ServiceVersions versions;
    private final SetupProperties setupProps;
    private final RuntimeProperties runtime;
    private final io.zkml.api.ceremony.CeremonyService ceremonies;

    CompileJobHandler(CircuitRepository circuits, ModelService models, ArtifactRepository artifacts,
                      ArtifactFileCache files, ServiceVersions versions, SetupProperties setupProps,
                      RuntimeProperties runtime, @org.springframework.context.annotation.Lazy io.zkml.api.ceremony.CeremonyService ceremonies) {
        this.ceremonies = ceremonies;
        this.circuits = circuits;
        this.models = models;
        this.artifacts = artifacts;
        this.files = files;
        this.versions = versions;
        this.setupProps = setupProps;
        this.runtime = runtime;
    }

    @Override
    public JobKind kind() {
        return JobKind.COMPILE;
    }

    @Override
    public void run(Job job, JobContext context) throws Exception {
        UUID id = job.subjectId();
        CircuitRecord circuit = circuits.find(id).orElseThrow(() -> new JobFailedException("circuit " + id + " does not exist"));
        if (circuit.status() == CircuitStatus.READY || circuit.status() == CircuitStatus.AWAITING_CONTRIBUTIONS) {
            context.complete(() -> { });
            return;
        }
        ModelRecord model = models.get(circuit.modelId());
        Prover prover = Prover.of(ProvingSystem.of(circuit.provingSystem()));
        SetupOptions options = setupOptions(circuit);
        context.progress(() -> {
            circuits.markCompiling(id);
            circuits.setStep(id, "compile"); // issue 9: docs/operations.md "Progress"
        });
        ArtifactVersions made = versions.current();
        Map<String, Long> timings = new LinkedHashMap<>();

        long t0 = System.nanoTime();
        CompiledCircuit compiled;
        try {
            QuantizationRequest request = circuit.settings() == null ? QuantizationRequest.empty() : circuit.settings();
            boolean argmax = "argmax".equals(circuits.output(id));
            List<String> labels = "mlp".equals(model.family()) ? models.labels(model.id()) : null;
            CompiledCircuit lowered = CircuitCompiler.compile(models.imported(model.id()), model.name(),
                    model.sha256(), request.toSettings(model.features()), argmax, labels)
                    .withVisibility(circuit.visibility().inputVisibility(), circuit.visibility().outputVisibility());
            // issue 7: std/rangecheck for every range check, "range_check": "lookup" in the IR (a new circuit hash)
            CompiledCircuit checked = RangeCheck.LOOKUP.equals(circuits.rangeCheck(id)) ? lowered.withRangeCheckLookup() : lowered;
            // issue 8 (ADR 0025): hashed weights: the dense weights become private witness, the IR keeps their declared ranges only
            compiled = circuit.visibility() != null && circuit.visibility().hashedWeights()
                    ? checked.withHashedWeights(CompiledCircuit.DEFAULT_HASHED_WEIGHT_BITS, CompiledCircuit.DEFAULT_HASHED_BIAS_BITS)
                    : checked;
        } catch (CompilationException | IllegalArgumentException | IrValidationException e) {
            throw new JobFailedException("compilation failed: " + e.getMessage(), e);
        }
        timings.put("compileMillis", millisSince(t0));
        if (compiled.hashedWeights()) {
            String salt = circuits.hashedWeights(id).map(CircuitRepository.HashedWeightsInfo::salt)
                    .orElseThrow(() -> new JobFailedException("circuit " + id + " has hashed weights and no weights salt"));
            String weightsSha = artifacts.put(ArtifactKind.WEIGHTS, io.zkml.compiler.HashedWeights.write(compiled), made);
            String commitment = compiled.weightsCommitment(new java.math.BigInteger(salt)).orElseThrow().toString();
            circuits.setWeights(id, weightsSha, commitment);
        }
        byte[] ir = compiled.irJson();
        String circuitHash = compiled.circuitHash();
        int batchSize = circuits.batchSize(id);
        if (batchSize > 1) {
            // issue 8: the proven IR is the BatchCircuit of batchSize rows; the one-row IR is kept to rebuild it
            String singleSha = artifacts.put(ArtifactKind.IR, ir, made);
            BatchCircuit batch;
            try {
                batch = BatchCircuit.of(compiled, batchSize);
            } catch (IrValidationException e) {
                throw new JobFailedException("compilation failed: the batch of " + batchSize + " rows: " + e.getMessage(), e);
            }
            circuits.setSingleIr(id, singleSha);
            ir = batch.irJson();
            circuitHash = batch.circuitHash();
        }
        String irSha = artifacts.put(ArtifactKind.IR, ir, made);
        if (!irSha.equals(circuitHash)) {
            throw new IllegalStateException("circuit hash " + circuitHash + " is not the SHA-256 of the IR " + irSha);
        }
        String provenHash = circuitHash;

        Path csTmp = files.scratchFile(".cs");
        Path pkTmp = files.scratchFile(".pk");
        Path vkTmp = files.scratchFile(".vk");
        try {
            long t1 = System.nanoTime();
            SetupResult setup;
            context.progress(() -> circuits.setStep(id, "constraint-system"));
            try (ConstraintSystem cs = compileIr(prover, ir)) {
                cs.writeTo(csTmp);
                timings.put("constraintSystemMillis", millisSince(t1));
                String csSha = artifacts.put(ArtifactKind.CONSTRAINT_SYSTEM, csTmp, made);
                files.adopt(csTmp, csSha);
                int constraints = cs.constraints();
                int publicInputs = cs.publicInputs();
                Map<String, Integer> byOp = cs.constraintsByOp();
                context.progress(() -> {
                    circuits.markSettingUp(id, irSha, csSha, provenHash, constraints,
                            byOp, publicInputs, compiled.quantization(), made, timings);
                    circuits.setStep(id, "setup");
                });
                log.info("circuit {}: {} constraints, {} public inputs, circuit hash {}", id, constraints, publicInputs,
                        provenHash);

                if ("ceremony".equals(circuit.setupInfo().trust())) {
                    // phase 1 from the .ptau file, the initial state and the service's contribution;
                    // the keys come when the ceremony is finalized (POST .../ceremony/finalize)
                    Runnable open;
                    try {
                        open = ceremonies.open(circuit, cs, timings);
                    } catch (NativeProverException e) {
                        throw new JobFailedException("ceremony failed: the powers-of-tau file " + setupProps.ptauPath() + ": "
                                + e.getMessage(), e);
                    }
                    context.complete(open);
                    log.info("circuit {}: ceremony opened", id);
                    return;
                }
                setup = setup(prover, cs, options, pkTmp, vkTmp);
                timings.put("setupMillis", setup.setupMillis());
            }
            byte[] vkBytes = Files.readAllBytes(vkTmp);
            String pkSha = artifacts.put(ArtifactKind.PROVING_KEY, pkTmp, made);
            String vkSha = artifacts.put(ArtifactKind.VERIFYING_KEY, vkBytes, made);
            if (!vkSha.equals(setup.verifyingKeySha256())) {
                throw new IllegalStateException("the native library reports verifying-key hash " + setup.verifyingKeySha256()
                        + ", the file hashes to " + vkSha);
            }
            Path vkFile = files.adopt(vkTmp, vkSha);
            files.adopt(pkTmp, pkSha);

            context.progress(() -> circuits.setStep(id, "export"));
            long t2 = System.nanoTime();
            String solidity;
            SetupInfo setupInfo;
            try (VerifyingKey vk = prover.loadVerifyingKey(vkFile, provenHash)) {
                KeyInfo info = vk.info();
                setupInfo = new SetupInfo(info.trust(), info.srsSha256(), info.srsPower() == 0 ? null : info.srsPower(),
                        info.srsSize() == 0 ? null : info.srsSize());
                if (!info.trust().equals(circuit.setupInfo().trust())) {
                    throw new IllegalStateException("circuit " + id + " asked for a " + circuit.setupInfo().trust()
                            + " setup and its keys say " + info.trust());
                }
                solidity = prover.exportSolidity(vk);
            }
            timings.put("exportMillis", millisSince(t2));
            String verifierSha = artifacts.put(ArtifactKind.VERIFIER_SOLIDITY, solidity.getBytes(StandardCharsets.UTF_8), made);
            context.complete(() -> circuits.markReady(id, pkSha, vkSha, verifierSha, vkSha, timings, setupInfo));
            log.info("circuit {} ready ({}, {}): verifying key {}", id, prover.provingSystem(), setupInfo.trust(), vkSha);
        } finally {
            deleteQuietly(csTmp);
            deleteQuietly(pkTmp);
            deleteQuietly(vkTmp);
        }
    }

    /**
     * The options of the circuit's setup, checked again here: the worker that runs the job may run
     * in another mode, or without the powers-of-tau file, than the API process that took the request.
     */
    private SetupOptions setupOptions(CircuitRecord circuit) throws JobFailedException {
        SetupTrust trust = SetupTrust.fromId(circuit.setupInfo().trust());
        if (trust == null) {
            throw new JobFailedException("circuit " + circuit.id() + " has an unknown setup trust '" + circuit.setupInfo().trust() + "'");
        }
        return switch (trust) {
            case SINGLE_PARTY -> SetupOptions.none();
            case UNIVERSAL_SRS -> {
                if (setupProps.ptauPath() == null) {
                    throw new JobFailedException("setup failed: no powers-of-tau file is configured (zkml.setup.ptau-path) "
                            + "on the worker, and this circuit asked for a universal-srs setup");
                }
                yield SetupOptions.ptau(setupProps.ptauPath());
            }
            case LOCAL_UNSAFE -> {
                if (!trust.allowedIn(runtime.mode())) {
                    throw new JobFailedException("setup failed: a local-unsafe setup is allowed only in development mode, "
                            + "and this worker runs in " + runtime.mode().name().toLowerCase(java.util.Locale.ROOT) + " mode");
                }
                yield SetupOptions.localUnsafe();
            }
            case CEREMONY -> {
                if (setupProps.ptauPath() == null) {
                    throw new JobFailedException("ceremony failed: no powers-of-tau file is configured (zkml.setup.ptau-path) "
                            + "on the worker for its phase 1");
                }
                yield SetupOptions.none();
            }
        };
    }

    /** The setup; a powers-of-tau file that is unreadable, malformed or too small fails the job (final). */
    private static SetupResult setup(Prover prover, ConstraintSystem cs, SetupOptions options, Path pk, Path vk)
            throws JobFailedException {
        try {
            return prover.setup(cs, options, pk, vk);
        } catch (NativeProverException e) {
            if (options.ptauFile() != null && (e.errorCode() == ErrorCode.IO || e.errorCode() == ErrorCode.INVALID_ARGUMENT)) {
                throw new JobFailedException("setup failed: the powers-of-tau file " + options.ptauFile() + ": " + e.getMessage(), e);
            }
            throw e;
        }
    }

    private ConstraintSystem compileIr(Prover prover, byte[] ir) throws JobFailedException {
        try {
            return prover.compile(ir);
        } catch (NativeProverException e) {
            if (e.errorCode() == ErrorCode.INVALID_IR) {
                // The Java reader accepted this IR and gnark's did not: the two readers disagree.
                log.error("the native library rejected IR that the compiler wrote: {}", e.getMessage());
                throw new JobFailedException("internal error: the prover rejected the compiled IR: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    @Override
    public void onRequeued(UUID subjectId) {
        circuits.requeue(subjectId);
    }

    @Override
    public void onFailed(UUID subjectId, String error) {
        circuits.fail(subjectId, error);
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover temporary file is harmless
        }
    }
}
