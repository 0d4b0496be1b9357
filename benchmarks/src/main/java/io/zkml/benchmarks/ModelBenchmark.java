package io.zkml.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import io.zkml.compiler.BatchCircuit;
import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.CircuitOutput;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.Fidelity;
import io.zkml.compiler.QuantizationReport;
import io.zkml.compiler.Task;
import io.zkml.compiler.ir.Visibility;
import io.zkml.compiler.tribuo.FloatPrediction;
import io.zkml.compiler.model.TreeEnsembleStructure;
import io.zkml.compiler.tribuo.ImportedModel;
import io.zkml.compiler.tribuo.TribuoModelReader;
import io.zkml.contracts.AnvilNode;
import io.zkml.contracts.EvmContract;
import io.zkml.contracts.ZkmlContracts;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.StaticStruct;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.abi.datatypes.generated.Uint8;
import io.zkml.contracts.CompiledContract;
import io.zkml.contracts.SolidityCompiler;
import io.zkml.contracts.VerifierContract;
import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.Proof;
import io.zkml.prover.Prover;
import io.zkml.prover.ProvingKey;
import io.zkml.prover.ProvingSystem;
import io.zkml.prover.SetupOptions;
import io.zkml.prover.SetupResult;
import io.zkml.prover.VerifyingKey;

/**
 * Measures one demo model end to end: the same steps as the service (import, compile, R1CS, setup,
 * prove, verify, Solidity verifier), each timed, plus memory, gas and fidelity.
 */
final class ModelBenchmark {

    /** The salt of the commitment of a benchmark with hashed inputs (any field element; a fixed one). */
    static final BigInteger SALT = new BigInteger("1234567890123456789012345678901234567890");
    static final BigInteger OUTPUT_SALT = new BigInteger("987654321987654321987654321");
    static final BigInteger WEIGHTS_SALT = new BigInteger("555555555555555555555555555555");

    private final Groth16Prover groth16;
    private Prover prover;
    private final SolidityCompiler solc;
    private final AnvilNode node;
    private final BenchmarkOptions options;
    private final Path workDir;
    private final PrintStream log;
    private final Consumer<String> step;

    /**
     * @param solc and {@code node} null: no EVM measurements
     * @param workDir where the keys are written (deleted by the caller)
     * @param step told the name of each step as it starts (the progress bar)
     */
    ModelBenchmark(Groth16Prover prover, SolidityCompiler solc, AnvilNode node, BenchmarkOptions options, Path workDir,
                   PrintStream log, Consumer<String> step) {
        this.groth16 = Objects.requireNonNull(prover);
        this.prover = prover;
        this.solc = solc;
        this.node = node;
        this.options = options;
        this.workDir = workDir;
        this.log = log;
        this.step = step;
    }

    ModelResult run(DemoModel demo, Setting setting) throws Exception {
        ProvingSystem system = ProvingSystem.of(setting.provingSystem());
        prover = system == ProvingSystem.GROTH16 ? groth16 : Prover.of(system);
        MemoryProbe memory = new MemoryProbe();
        memory.reset();

        step.accept("import + compile");

        long t0 = System.nanoTime();
        ImportedModel model = TribuoModelReader.read(demo.modelBytes());
        CompiledCircuit circuit = CircuitCompiler.compile(model, demo.name(), demo.modelSha256(), demo.settings());
        if (setting != null && !"public".equals(setting.visibility())) {
            circuit = circuit.withVisibility(Visibility.fromIrName(setting.inputVisibility()).orElseThrow(() ->
                    new IllegalArgumentException("unknown visibility " + setting.visibility())),
                    Visibility.fromIrName(setting.outputVisibility()).orElseThrow());
        }
        if (setting != null && "lookup".equals(setting.rangeCheck())) {
            circuit = circuit.withRangeCheckLookup(); // issue 7: std/rangecheck ("range_check": "lookup" in the IR)
        }
        if (setting != null && "hashed".equals(setting.weightsVisibility())) {
            // issue 8: the weights become private witness with a public commitment (ADR 0025)
            circuit = circuit.withHashedWeights(CompiledCircuit.DEFAULT_HASHED_WEIGHT_BITS, CompiledCircuit.DEFAULT_HASHED_BIAS_BITS);
        }
        boolean hashedInputs = circuit.inputVisibility() == Visibility.HASHED;
        BigInteger outputSalt = circuit.ir().hasHashedOutputs() ? OUTPUT_SALT : null;
        BigInteger weightsSalt = circuit.hashedWeights() ? WEIGHTS_SALT : null;
        BatchCircuit batch = setting != null && setting.batchSize() > 1 ? BatchCircuit.of(circuit, setting.batchSize()) : null;
        double irCompileMillis = millisSince(t0);
        byte[] ir = batch != null ? batch.irJson() : circuit.irJson();
        QuantizationReport q = circuit.quantization();

        double[] example = demo.input() != null ? demo.input() : midpoint(q);
        List<BigInteger> row = circuit.quantizeInput(example);
        // a batch: the example row, padded to the batch size (the padding rule of BatchCircuit)
        List<BigInteger> input = batch != null ? batch.pad(List.of(row)) : row;
        List<BigInteger> expectedOutput = batch != null ? batch.evaluate(input).stream().flatMap(List::stream).toList()
                : circuit.evaluate(input);
        List<String> expectedPublic = (batch != null ? batch.publicInputs(input, SALT)
                : circuit.publicInputs(input, SALT, outputSalt, weightsSalt))
                .stream().map(BigInteger::toString).toList();
        boolean hashed = !circuit.ir().commitments().isEmpty();

        Path pkFile = workDir.resolve(demo.name() + ".pk");
        Path vkFile = workDir.resolve(demo.name() + ".vk");
        step.accept(system == ProvingSystem.GROTH16 ? "R1CS" : "sparse R1CS");
        long t1 = System.nanoTime();
        try (ConstraintSystem cs = prover.compile(ir)) {
            double r1csMillis = millisSince(t1);
            log.printf("  %s: %d constraints, %d public inputs%n", demo.name(), cs.constraints(), cs.publicInputs());

            step.accept("setup");
            long t2 = System.nanoTime();
            // PLONK on a locally drawn SRS: the times and the gas are those of a .ptau-backed setup
            SetupResult setup = prover.setup(cs, system == ProvingSystem.PLONK ? SetupOptions.localUnsafe() : SetupOptions.none(),
                    pkFile, vkFile);
            double setupMillis = millisSince(t2);
            log.printf("  %s: setup %.0f ms%n", demo.name(), setupMillis);

            try (ProvingKey pk = prover.loadProvingKey(pkFile, cs.circuitSha256());
                 VerifyingKey vk = prover.loadVerifyingKey(vkFile, cs.circuitSha256())) {
                boolean provenMatches = true;
                List<Long> proveWall = new ArrayList<>();
                List<Double> proveNative = new ArrayList<>();
                List<Double> witnessNative = new ArrayList<>();
                Proof proof = null;
                step.accept("prove");
                for (int i = 0; i < options.warmupRuns() + options.runs(); i++) {
                    long s = System.nanoTime();
                    proof = outputSalt != null || weightsSalt != null
                            ? prover.prove(cs, pk, input, hashedInputs ? SALT : null, outputSalt, circuit.weights(), weightsSalt)
                            : hashed ? prover.prove(cs, pk, input, SALT) : prover.prove(cs, pk, input);
                    long e = System.nanoTime() - s;
                    provenMatches &= proof.outputs().equals(expectedOutput)
                            && proof.publicInputs().equals(expectedPublic);
                    if (i >= options.warmupRuns()) {
                        proveWall.add(e);
                        proveNative.add((double) proof.proveMillis());
                        witnessNative.add((double) proof.witnessMillis());
                    }
                }
                Stats prove = Stats.ofNanos(proveWall);
                log.printf("  %s: prove median %.1f ms over %d runs%n", demo.name(), prove.medianMillis(), prove.runs());

                byte[] proofBytes = proof.solidityProof();
                List<BigInteger> publicInputs = proof.publicInputs().stream().map(BigInteger::new).toList();
                List<Long> verifyWall = new ArrayList<>();
                step.accept("verify");
                for (int i = 0; i < options.warmupRuns() + options.runs(); i++) {
                    long s = System.nanoTime();
                    boolean ok = prover.verify(vk, proofBytes, publicInputs);
                    long e = System.nanoTime() - s;
                    if (!ok) {
                        throw new IllegalStateException("the real proof of " + demo.name() + " did not verify off chain");
                    }
                    if (i >= options.warmupRuns()) {
                        verifyWall.add(e);
                    }
                }
                Stats verify = Stats.ofNanos(verifyWall);
                MemoryProbe.Peak peak = memory.peak();

                ModelResult.Evm evm = null;
                if (solc != null && node != null) {
                    step.accept("EVM");
                    // the public words before the outputs: the input values (public), one commitment (hashed) or none (private)
                    // hashed outputs or weights: no oracle (deployments refuse them), so no input words to bind
                    evm = evm(demo, vk, proofBytes, publicInputs, outputSalt != null || weightsSalt != null ? 0
                            : publicInputs.size() - expectedOutput.size(), hashed);
                    log.printf("  %s: verifier %d B%s, verification gas %d%n", demo.name(), evm.deployedSize(),
                            evm.fitsMainnetLimits() ? "" : " (over the EIP-170/3860 limits: not deployable on mainnet)",
                            evm.verificationGasUsed());
                }

                step.accept("fidelity");
                FidelityResult fidelity = fidelity(model, circuit, demo, provenMatches);

                ModelResult.Timings timings = new ModelResult.Timings(Stats.round3(irCompileMillis), Stats.round3(r1csMillis),
                        Stats.round3(setupMillis), setup.setupMillis(), prove, Stats.ofMillis(proveNative),
                        Stats.ofMillis(witnessNative), verify);
                ModelResult.Circuit c = new ModelResult.Circuit(batch != null ? batch.circuitHash() : circuit.circuitHash(), ir.length, cs.constraints(),
                        cs.publicInputs(), Files.size(pkFile), Files.size(vkFile), cs.constraintsByOp());
                ModelResult.Quantization quant = new ModelResult.Quantization(
                        demo.settingsSource(), q.inputScale(), q.weightScale(),
                        q.rangeSource(), q.errorBound());
                return new ModelResult(demo.name(), demo.source(), setting, demo.modelSha256(), model.modelClass(), model.task().name().toLowerCase(),
                        model.features().size(), model.outputs().size(), family(model, cs.constraints()), quant, c, timings,
                        proofBytes.length, peak, evm,
                        fidelity);
            }
        } finally {
            Files.deleteIfExists(pkFile);
            Files.deleteIfExists(vkFile);
        }
    }

    static ModelResult.Family family(ImportedModel model, int constraints) {
        if (model.structure() instanceof TreeEnsembleStructure t) {
            long nodes = t.internalNodeCount();
            return new ModelResult.Family(model.family().apiName(), model.memberCount(), t.treeCount(), model.maxDepth(),
                    nodes, nodes == 0 ? null : Stats.round3((double) constraints / nodes));
        }
        return new ModelResult.Family(model.family().apiName(), model.memberCount(), 0, model.maxDepth(), 0, null);
    }

    private ModelResult.Evm evm(DemoModel demo, VerifyingKey vk, byte[] proof, List<BigInteger> publicInputs, int inputWords,
                             boolean hashed) {
        String source = prover.exportSolidity(vk);
        boolean plonk = prover.provingSystem() == ProvingSystem.PLONK;
        CompiledContract contract = solc.compile("Verifier.sol", source,
                plonk ? VerifierContract.GNARK_PLONK_CONTRACT_NAME : VerifierContract.GNARK_CONTRACT_NAME);
        VerifierContract verifier = VerifierContract.deploy(node, contract);
        byte[] calldata = plonk ? VerifierContract.plonkVerifyCalldata(proof, publicInputs)
                : VerifierContract.verifyProofCalldata(proof, publicInputs);
        VerifierContract.CallOutcome real = verifier.call(calldata);
        if (plonk ? !VerifierContract.plonkAccepted(real) : !real.success()) {
            throw new IllegalStateException("the real proof of " + demo.name() + " was rejected on chain: "
                    + real.revertReason());
        }
        byte[] tampered = proof.clone();
        // Groth16: the last byte of C.y; PLONK: a bit of l(zeta) (word 12; its verifier returns false)
        tampered[plonk ? 12 * 32 + 31 : tampered.length - 1] ^= 1;
        boolean accepted = plonk
                ? VerifierContract.plonkAccepted(verifier.call(VerifierContract.plonkVerifyCalldata(tampered, publicInputs)))
                : verifier.verify(tampered, publicInputs);
        if (accepted) {
            throw new IllegalStateException("the proof of " + demo.name() + " with one byte changed was accepted on chain");
        }
        VerifierContract.TransactionOutcome tx = verifier.transact(calldata);
        // the registry needs at least one input word: a circuit with private inputs only has none to bind a request to
        ModelResult.Oracle oracleGas = contract.fitsMainnetLimits() && inputWords > 0 && (!hashed || inputWords == 1)
                ? oracleGas(demo, verifier.address(), plonk, hashed, proof, publicInputs, inputWords) : null;
        return new ModelResult.Evm(DemoModel.sha256(source.getBytes(StandardCharsets.UTF_8)), contract.deployedSize(),
                contract.creationSize(), contract.fitsMainnetLimits(), verifier.deploymentGasUsed(), tx.gasUsed(),
                tx.gasEstimate(), true, true, oracleGas);
    }

    private EvmContract registry;
    private EvmContract oracle;

    /**
     * Registers the verifier in a {@code ZkmlRegistry}, verifies and records the real proof through
     * it, requests an inference from a {@code ZkmlOracle} and fulfils it with the same proof: the gas
     * of each (one registry and oracle per run, deployed on first use).
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private ModelResult.Oracle oracleGas(DemoModel demo, String verifierAddress, boolean plonk, boolean hashed, byte[] fullProof,
                                         List<BigInteger> publicInputs, int inputWords) {
        String from = node.devAccount();
        // the registry hands a PLONK verifier the Solidity part of the proof (VerifierContract.plonkVerifyCalldata does the same)
        byte[] proof = plonk ? VerifierContract.plonkSolidityProof(fullProof) : fullProof;
        if (registry == null) {
            ZkmlContracts contracts = new ZkmlContracts(solc);
            registry = EvmContract.deploy(node, contracts.registry(), from);
            oracle = EvmContract.deploy(node, contracts.oracle(), from, new Address(registry.address())).knowingErrorsOf(contracts.registry());
        }
        List<BigInteger> inputs = publicInputs.subList(0, inputWords);
        List<BigInteger> outputs = publicInputs.subList(inputWords, publicInputs.size());
        StaticStruct commitment = new StaticStruct(new Bytes32(new byte[32]), new Bytes32(new byte[] {1, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), new Bytes32(new byte[] {2, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), new Uint8(plonk ? 2 : 1), new Address(verifierAddress),
                new Uint16(inputWords), new Uint16(outputs.size()), new Bool(hashed));
        EvmContract.Tx reg = registry.send(from, new Function("registerModel", List.of(commitment), List.of()));
        BigInteger modelId = new BigInteger(reg.logs().getFirst().getTopics().get(1).substring(2), 16);
        DynamicArray<Uint256> in = words(inputs);
        DynamicArray<Uint256> out = words(outputs);
        EvmContract.Tx verified = registry.send(from, new Function("verifyInferenceWithInputs", (List) List.of(new Uint256(modelId),
                in, out, new DynamicBytes(proof)), List.of()));
        long deadline;
        try {
            deadline = node.web3j().ethGetBlockByNumber(org.web3j.protocol.core.DefaultBlockParameterName.LATEST, false).send()
                    .getBlock().getTimestamp().longValueExact() + 3600;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("eth_getBlockByNumber: " + e.getMessage(), e);
        }
        EvmContract.Tx req = oracle.send(from, new Function("requestInference", (List) List.of(new Uint256(modelId), in,
                Address.DEFAULT, new Uint64(deadline), new Uint32(0)), List.of()));
        BigInteger requestId = new BigInteger(req.logs().getFirst().getTopics().get(1).substring(2), 16);
        EvmContract.Tx ful = oracle.send(from, new Function("fulfil", (List) List.of(new Uint256(requestId), in, out,
                new DynamicBytes(proof)), List.of()));
        log.printf("  %s: registry register %d, verify+record %d; oracle request %d, fulfil %d gas%n", demo.name(), reg.gasUsed(),
                verified.gasUsed(), req.gasUsed(), ful.gasUsed());
        return new ModelResult.Oracle(plonk ? "plonk" : "groth16", hashed ? "hashed" : "public", reg.gasUsed(), verified.gasUsed(), req.gasUsed(), ful.gasUsed());
    }

    private static DynamicArray<Uint256> words(List<BigInteger> v) {
        return new DynamicArray<>(Uint256.class, v.stream().map(Uint256::new).toList());
    }

    /**
     * Compares the circuit (exact reference evaluator) with Tribuo's float prediction on
     * {@code input.json} and {@link BenchmarkOptions#fidelitySamples()} seeded random inputs drawn
     * uniformly from the declared input ranges.
     */
    private FidelityResult fidelity(ImportedModel model, CompiledCircuit circuit, DemoModel demo, boolean provenMatches)
            throws Exception {
        List<double[]> inputs = new ArrayList<>();
        if (demo.input() != null) {
            inputs.add(demo.input());
        }
        SplittableRandom random = new SplittableRandom(options.seed());
        List<QuantizationReport.InputRange> ranges = circuit.quantization().inputs();
        for (int k = 0; k < options.fidelitySamples(); k++) {
            double[] x = new double[ranges.size()];
            for (int i = 0; i < x.length; i++) {
                QuantizationReport.InputRange r = ranges.get(i);
                x[i] = r.min() + random.nextDouble() * (r.max() - r.min());
            }
            inputs.add(x);
        }
        int agreements = 0;
        double maxErr = 0;
        double sumErr = 0;
        int errCount = 0;
        for (double[] x : inputs) {
            FloatPrediction fp = model.predict(x);
            CircuitOutput co = circuit.predict(x);
            Fidelity f = Fidelity.of(fp, co);
            if (f.task() == Task.CLASSIFICATION) {
                agreements += Boolean.TRUE.equals(f.labelsAgree()) ? 1 : 0;
            } else {
                for (double e : f.absoluteErrors().values()) {
                    maxErr = Math.max(maxErr, e);
                    sumErr += e;
                    errCount++;
                }
            }
        }
        Double bound = circuit.quantization().errorBound();
        int n = inputs.size();
        if (circuit.task() == Task.CLASSIFICATION) {
            return new FidelityResult(n, agreements, n == 0 ? null : (double) agreements / n, null, null, bound, null,
                    provenMatches);
        }
        Double mean = errCount == 0 ? null : sumErr / errCount;
        return new FidelityResult(n, null, null, maxErr, mean, bound, bound == null ? null : maxErr <= bound,
                provenMatches);
    }

    /** The middle of every declared range, when a demo has no {@code input.json}. */
    private static double[] midpoint(QuantizationReport q) {
        double[] x = new double[q.inputs().size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (q.inputs().get(i).min() + q.inputs().get(i).max()) / 2;
        }
        return x;
    }

    private static double millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort
        }
    }
}
