package io.zkml.api.chain;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

import io.zkml.api.circuits.CircuitRecord;
import io.zkml.api.circuits.CircuitService;
import io.zkml.api.models.ModelService;
import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.contracts.CompiledContract;
import io.zkml.contracts.SolidityCompilationException;
import io.zkml.contracts.VerifierContract;

/**
 * {@code POST /v1/circuits/{id}/deployments}: compiles the circuit's gnark verifier with the pinned
 * solc, deploys it and registers the circuit in the configured {@code ZkmlRegistry} (weights hash =
 * the model file's SHA-256, circuit hash, verifying-key hash, the proof system (Groth16 or PLONK), the verifier, the
 * public-input layout), owned by the service's signer.
 */
@Service
public class DeploymentService {

    private static final Logger log = LoggerFactory.getLogger(DeploymentService.class);

    private final ObjectProvider<ChainRuntime> chain;
    private final ChainRepository repo;
    private final CircuitService circuits;
    private final ModelService models;
    private final org.springframework.transaction.support.TransactionTemplate tx;

    public DeploymentService(ObjectProvider<ChainRuntime> chain, ChainRepository repo, CircuitService circuits,
                             ModelService models, org.springframework.transaction.support.TransactionTemplate tx) {
        this.chain = chain;
        this.repo = repo;
        this.circuits = circuits;
        this.models = models;
        this.tx = tx;
    }

    public List<ChainRepository.Deployment> list(UUID circuitId) {
        circuits.get(circuitId); // 404 for an unknown circuit
        return repo.deploymentsOf(circuitId);
    }

    /** Deploys and registers; synchronous (seconds on a local chain, block times on a real one). */
    public ChainRepository.Deployment deploy(UUID circuitId, String chainName) {
        return deploy(circuitId, chainName, null);
    }

    /** The contract an example consumer is, as {@code consumer.contract} names it. */
    public static final String LENDING_POOL = "RiskBasedLendingPool";

    /**
     * Deploys and registers, then (when {@code collateralFactorsBps} is not null) deploys the
     * example consumer {@code RiskBasedLendingPool} against the chain's oracle for the new model id,
     * with a collateral factor for every label of the (classification) circuit.
     */
    public ChainRepository.Deployment deploy(UUID circuitId, String chainName, Map<String, Integer> collateralFactorsBps) {
        ChainRuntime rt = chain.getIfAvailable();
        if (rt == null) {
            throw new ApiException(ProblemType.CHAIN_NOT_CONFIGURED, "this service has no chain configured "
                    + "(zkml.chain.enabled=false); no deployment is possible", Map.of("chain", String.valueOf(chainName)));
        }
        if (chainName == null || !chainName.equals(rt.name())) {
            throw new ApiException(ProblemType.CHAIN_NOT_CONFIGURED, "no chain named " + printable(chainName)
                    + " is configured; this service knows \"" + rt.name() + "\"", Map.of("chains", List.of(rt.name())));
        }
        // Issue 9 (ADR 0022, ADR 0027): the circuit's row is held FOR KEY SHARE from here until the
        // deployment's row is committed, the lock an inference's POST takes: a concurrent DELETE waits
        // for the deployment, then finds it (409 resource-in-use), or was first (404 here). The
        // transaction stays open through the chain's transactions (seconds on a local chain).
        return tx.execute(status -> deployLocked(rt, circuitId, collateralFactorsBps));
    }

    private ChainRepository.Deployment deployLocked(ChainRuntime rt, UUID circuitId, Map<String, Integer> collateralFactorsBps) {
        circuits.lockForUse(circuitId);
        CircuitRecord c = circuits.getReady(circuitId);
        // Groth16 and PLONK: the verifier contract (Verifier / PlonkVerifier) and the registry's proofSystemId
        // (1 / 2) follow the circuit's proving system; the relayer sends a PLONK proof's Solidity part.
        proofSystemId(c.provingSystem()); // any other system: unsupported-proving-system before anything is sent
        boolean hashed = "hashed".equals(c.visibility().input());
        if (!hashed && !"public".equals(c.visibility().input())) {
            // A request must name what is proven: the public inputs, or their commitment (ADR 0016).
            throw new ApiException(ProblemType.UNSUPPORTED_VISIBILITY, "deployments support circuits with public or hashed "
                    + "inputs; this one has " + c.visibility().input() + " inputs (nothing for an on-chain request to name)");
        }
        if ("hashed".equals(c.visibility().output())) {
            // issue 8: the oracle's fulfil hands the outputs (the label) to the consumer contract, which
            // a hashed output hides; refused until a registry opens output commitments
            throw new ApiException(ProblemType.UNSUPPORTED_VISIBILITY, "deployments need public outputs: the oracle's "
                    + "fulfilment gives the consumer the proven label, and this circuit's outputs are hashed (one commitment)",
                    Map.of("field", "visibility.output"));
        }
        if (c.visibility() != null && c.visibility().hashedWeights()) {
            // issue 8: the oracle's fulfilment builds the public inputs from the request and the outputs; the
            // weights commitment is not among them yet
            throw new ApiException(ProblemType.UNSUPPORTED_VISIBILITY, "deployments need fixed weights: the oracle "
                    + "contract does not pass a weights commitment to the verifier yet", Map.of("field", "visibility.weights"));
        }
        CompiledCircuit compiled = circuits.compiled(c);
        List<Integer> factors = collateralFactorsBps == null ? null : factorsInLabelOrder(compiled, collateralFactorsBps);
        // Hashed inputs: one public word, the Poseidon2 commitment (docs/commitments.md), then the outputs.
        int inputWords = hashed ? 1 : compiled.features().size();
        int outputWords = c.publicInputs() - inputWords;
        String source = circuits.verifierSource(circuitId);
        CompiledContract verifier;
        try {
            verifier = rt.solc().compile("Verifier.sol", source, verifierContractName(c.provingSystem()));
        } catch (SolidityCompilationException e) {
            throw new IllegalStateException("the pinned solc could not compile circuit " + circuitId + "'s verifier: "
                    + e.getMessage(), e);
        }
        ChainClient client = rt.client();
        List<ChainRepository.Deployment.Step> steps = new ArrayList<>();
        try {
            TransactionReceipt deployed = client.transact(null, verifier.creationBytecodeHex(), BigInteger.ZERO, ChainRuntime.TX_TIMEOUT);
            String verifierAddress = deployed.getContractAddress();
            steps.add(step("deployVerifier", deployed));
            String data = OracleAbi.registerModel(OracleAbi.hex32(models.get(c.modelId()).sha256(), "model sha256"),
                    OracleAbi.hex32(c.circuitHash(), "circuit hash"), OracleAbi.hex32(c.verifyingKeyHash(), "verifying-key hash"),
                    proofSystemId(c.provingSystem()), verifierAddress, inputWords, outputWords, hashed);
            TransactionReceipt registered = client.transact(rt.registryAddress(), data, BigInteger.ZERO, ChainRuntime.TX_TIMEOUT);
            steps.add(step("registerModel", registered));
            BigInteger modelId = null;
            for (Log l : registered.getLogs()) {
                if (l.getAddress().equalsIgnoreCase(rt.registryAddress()) && l.getTopics().getFirst().equals(OracleAbi.MODEL_REGISTERED_TOPIC)) {
                    modelId = OracleAbi.topic(l, 1);
                }
            }
            if (modelId == null) {
                throw new IllegalStateException("registerModel " + registered.getTransactionHash() + " emitted no ModelRegistered");
            }
            ChainRepository.Deployment.Consumer consumer = null;
            if (factors != null) {
                String args = FunctionEncoder.encodeConstructor(List.of(new Address(rt.oracleAddress()), new Uint256(modelId),
                        new DynamicArray<>(Uint16.class, factors.stream().map(Uint16::new).toList())));
                TransactionReceipt pool = client.transact(null, rt.lendingPool().creationBytecodeHex() + args, BigInteger.ZERO,
                        ChainRuntime.TX_TIMEOUT);
                steps.add(step("deployConsumer", pool));
                consumer = new ChainRepository.Deployment.Consumer(LENDING_POOL, pool.getContractAddress(),
                        new java.util.LinkedHashMap<>(collateralFactorsBps));
            }
            ChainRepository.Deployment d = new ChainRepository.Deployment(UUID.randomUUID(), circuitId, rt.name(),
                    client.chainId(), rt.registryAddress(), rt.oracleAddress(), verifierAddress, modelId, inputWords, outputWords,
                    hashed, steps, consumer, java.time.Instant.now());
            repo.insertDeployment(d);
            log.info("circuit {} deployed on {}: verifier {}, registry model id {}", circuitId, rt.name(), verifierAddress, modelId);
            return repo.deployment(d.id()).orElseThrow();
        } catch (ChainUnavailableException e) {
            throw new ApiException(ProblemType.CHAIN_UNAVAILABLE, e.getMessage());
        } catch (ChainClient.ChainCallException e) {
            throw new ApiException(ProblemType.CHAIN_UNAVAILABLE, "the chain refused the deployment of circuit " + circuitId
                    + (steps.isEmpty() ? "" : " after " + steps.getLast().step() + " " + steps.getLast().hash()) + ": " + e.getMessage());
        }
    }

    /** The contract gnark's exported Solidity declares: {@code Verifier} (Groth16) or {@code PlonkVerifier}. */
    static String verifierContractName(String provingSystem) {
        return "plonk".equals(provingSystem) ? "PlonkVerifier" : VerifierContract.GNARK_CONTRACT_NAME;
    }

    /** The registry's {@code ProofSystems} id (IZkml.sol) of a circuit's proving system. */
    static int proofSystemId(String provingSystem) {
        return switch (provingSystem) {
            case CircuitService.GROTH16 -> 1;
            case "plonk" -> 2;
            default -> throw new ApiException(ProblemType.UNSUPPORTED_PROVING_SYSTEM, "the registry knows groth16 and plonk "
                    + "verifiers; this circuit is " + provingSystem);
        };
    }

    /** The factors in class-index order; every label once, each 0..10000 bps. */
    private static List<Integer> factorsInLabelOrder(CompiledCircuit compiled, Map<String, Integer> bps) {
        if (compiled.task() != io.zkml.compiler.Task.CLASSIFICATION) {
            throw new ApiException(ProblemType.INVALID_REQUEST, LENDING_POOL + " takes a risk class: the circuit must be a "
                    + "classification, this one is a " + compiled.task());
        }
        List<String> labels = compiled.outputs();
        List<String> unknown = bps.keySet().stream().filter(k -> !labels.contains(k)).toList();
        List<String> missing = labels.stream().filter(l -> !bps.containsKey(l)).toList();
        if (!unknown.isEmpty() || !missing.isEmpty()) {
            throw new ApiException(ProblemType.INVALID_REQUEST, "consumer.collateralFactorsBps must give every label of the "
                    + "circuit once " + labels + (missing.isEmpty() ? "" : "; missing " + missing)
                    + (unknown.isEmpty() ? "" : "; unknown " + unknown.stream().map(DeploymentService::printable).toList()));
        }
        List<Integer> out = new ArrayList<>();
        for (String l : labels) {
            Integer v = bps.get(l);
            if (v == null || v < 0 || v > 10_000) {
                throw new ApiException(ProblemType.INVALID_REQUEST, "consumer.collateralFactorsBps." + l
                        + " must be 0..10000 basis points, got " + v);
            }
            out.add(v);
        }
        return out;
    }

    private static ChainRepository.Deployment.Step step(String name, TransactionReceipt r) {
        return new ChainRepository.Deployment.Step(name, r.getTransactionHash(), r.getGasUsed().longValueExact(),
                r.getBlockNumber().longValueExact());
    }

    private static String printable(String s) {
        if (s == null) {
            return "null";
        }
        String t = s.codePoints().limit(64).map(ch -> ch < 0x20 || ch == 0x7f ? '?' : ch)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return "\"" + t + "\"";
    }
}
