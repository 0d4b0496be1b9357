package io.zkml.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.StaticStruct;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.abi.datatypes.generated.Uint8;

import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.Proof;
import io.zkml.prover.ProvingKey;
import io.zkml.prover.SetupResult;
import io.zkml.prover.VerifyingKey;
import tools.jackson.databind.JsonNode;

/**
 * The registry, the oracle and the lending pool on anvil with the credit-risk demo's real Groth16
 * proofs: register → request → fulfil → the pool's state changed; and every way a fulfilment must
 * fail (tampered proof, a proof made for another request, a second fulfilment, after the deadline,
 * wrong outputs, a re-pointed model) reverts with the check that refused it. Prints gas
 * ({@code [gas] …} lines).
 */
@EvmTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryOracleTest {

    static final String DEMO = "credit-risk";
    /** Collateral factor per class index of the demo's labels [high, low, medium]. */
    static final List<Integer> FACTORS = List.of(3_000, 8_000, 6_000);

    @TempDir
    static Path keys;

    private AnvilNode node;
    private SolidityCompiler solc;
    private ZkmlContracts contracts;
    private EvmContract registry;
    private EvmContract oracle;
    private EvmContract pool;
    private EvmContract verifier;
    private BigInteger modelId;
    private byte[] circuitHash;
    private byte[] vkHash;
    private final List<Case> cases = new ArrayList<>();
    private String deployer;
    private String borrower;
    private String relayer;
    private String stranger;

    /** One demo case: its public inputs split into inputs and outputs, and a real proof of it. */
    record Case(List<BigInteger> inputs, List<BigInteger> outputs, byte[] proof) {
    }

    @BeforeAll
    void start() throws IOException {
        Groth16Prover prover = Groth16Prover.load();
        solc = SolidityCompiler.locate();
        contracts = new ZkmlContracts(solc);
        node = AnvilNode.start(solc.toolchain());
        deployer = node.accounts().get(0);
        borrower = node.accounts().get(1);
        relayer = node.accounts().get(2);
        stranger = node.accounts().get(3);

        Path example = DemoProofs.REPO.resolve("examples").resolve(DEMO);
        byte[] ir = Files.readAllBytes(example.resolve("circuit.ir.json"));
        circuitHash = sha256(ir);
        JsonNode all = DemoProofs.JSON.readTree(example.resolve("circuit.cases.json").toFile()).get("cases");
        try (ConstraintSystem cs = prover.compile(ir)) {
            SetupResult setup = prover.setup(cs, keys.resolve("pk.bin"), keys.resolve("vk.bin"));
            vkHash = HexFormat.of().parseHex(setup.verifyingKeySha256());
            try (ProvingKey pk = prover.loadProvingKey(keys.resolve("pk.bin"))) {
                for (int i = 0; i < 3; i++) { // three cases, three different classes
                    List<BigInteger> input = new ArrayList<>();
                    all.get(i).get("input").forEach(v -> input.add(new BigInteger(v.asString())));
                    Proof p = prover.prove(cs, pk, input);
                    List<BigInteger> pub = p.publicInputs().stream().map(BigInteger::new).toList();
                    cases.add(new Case(pub.subList(0, input.size()), pub.subList(input.size(), pub.size()), p.solidityProof()));
                }
            }
            try (VerifyingKey vk = prover.loadVerifyingKey(keys.resolve("vk.bin"))) {
                CompiledContract v = solc.compile("Verifier.sol", prover.exportSolidity(vk), VerifierContract.GNARK_CONTRACT_NAME);
                verifier = EvmContract.deploy(node, v, deployer);
            }
        }
        registry = EvmContract.deploy(node, contracts.registry(), deployer);
        EvmContract.Tx reg = registry.send(deployer, registerModel(commitment(verifier.address(), circuitHash, vkHash)));
        modelId = registry.callSingle(fn("modelCount", List.of(), List.of(new TypeReference<Uint256>() { })));
        System.out.printf("[gas] registry.registerModel %d%n", reg.gasUsed());
        oracle = EvmContract.deploy(node, contracts.oracle(), deployer, new Address(registry.address()))
                .knowingErrorsOf(registry.compiled());
        pool = EvmContract.deploy(node, contracts.lendingPool(), deployer, new Address(oracle.address()),
                new Uint256(modelId), new DynamicArray<>(Uint16.class, FACTORS.stream().map(Uint16::new).toList()))
                .knowingErrorsOf(registry.compiled(), oracle.compiled());
    }

    @AfterAll
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void requestThenFulfilSetsTheBorrowersCollateralFactor() {
        Case c = cases.get(0);
        EvmContract.Tx req = pool.send(borrower, requestRiskAssessment(c.inputs(), deadline(3600)), BigInteger.valueOf(1_000));
        BigInteger requestId = requestIdOf(req);

        EvmContract.Tx ful = oracle.send(relayer, fulfil(requestId, c.inputs(), c.outputs(), c.proof()));
        int cls = c.outputs().getFirst().intValueExact();
        BigInteger factor = pool.callSingle(fn("collateralFactorBps", List.of(new Address(borrower)),
                List.of(new TypeReference<Uint16>() { })));
        assertThat(factor.intValue()).as("factor of class %d", cls).isEqualTo(FACTORS.get(cls));
        List<List<Type>> fulfilled = oracle.events(ful, INFERENCE_FULFILLED);
        assertThat(fulfilled).hasSize(1);
        assertThat((Boolean) fulfilled.getFirst().get(3).getValue()).as("callback succeeded").isTrue();
        assertThat(registry.events(ful, INFERENCE_VERIFIED)).hasSize(1);
        BigInteger latest = registry.callSingle(fn("latestInference", List.of(new Uint256(modelId)),
                List.of(new TypeReference<Uint256>() { })));
        assertThat(latest).isEqualTo(fulfilled.getFirst().get(0).getValue());
        BigInteger fee = oracle.callSingle(fn("balances", List.of(new Address(relayer)), List.of(new TypeReference<Uint256>() { })));
        assertThat(fee).as("fee credited to the fulfiller").isGreaterThanOrEqualTo(BigInteger.valueOf(1_000));
        System.out.printf("[gas] oracle.requestInference (through the pool, %d inputs) %d%n", c.inputs().size(), req.gasUsed());
        System.out.printf("[gas] oracle.fulfil (Groth16 verify + record + pool callback) %d%n", ful.gasUsed());

        assertThatThrownBy(() -> oracle.send(relayer, fulfil(requestId, c.inputs(), c.outputs(), c.proof())))
                .as("a second fulfilment").isInstanceOfSatisfying(EvmContract.Reverted.class,
                        r -> assertThat(r.errorName()).isEqualTo("NotPending"));
    }

    @Test
    void aTamperedProofIsRejected() {
        Case c = cases.get(0);
        BigInteger requestId = requestIdOf(pool.send(borrower, requestRiskAssessment(c.inputs(), deadline(3600))));
        byte[] tampered = c.proof().clone();
        tampered[40] ^= 1;
        assertRevert(() -> oracle.send(relayer, fulfil(requestId, c.inputs(), c.outputs(), tampered)), "ProofRejected");
        byte[] truncated = Arrays.copyOf(c.proof(), c.proof().length - 32);
        assertRevert(() -> oracle.send(relayer, fulfil(requestId, c.inputs(), c.outputs(), truncated)), "ProofRejected");
        // still pending: the real proof fulfils it
        oracle.send(relayer, fulfil(requestId, c.inputs(), c.outputs(), c.proof()));
    }

    @Test
    void aProofForAnotherRequestCannotFulfilIt() {
        Case a = cases.get(0);
        Case b = cases.get(1);
        BigInteger requestB = requestIdOf(pool.send(borrower, requestRiskAssessment(b.inputs(), deadline(3600))));
        // A's proof with A's inputs: the inputs are not the request's
        assertRevert(() -> oracle.send(relayer, fulfil(requestB, a.inputs(), a.outputs(), a.proof())), "InputsMismatch");
        // A's proof presented for B's inputs: the verifier rejects it
        assertRevert(() -> oracle.send(relayer, fulfil(requestB, b.inputs(), a.outputs(), a.proof())), "ProofRejected");
        assertRevert(() -> oracle.send(relayer, fulfil(requestB, b.inputs(), b.outputs(), a.proof())), "ProofRejected");
        oracle.send(relayer, fulfil(requestB, b.inputs(), b.outputs(), b.proof()));
    }

    @Test
    void aChangedOutputIsRejected() {
        Case c = cases.get(2);
        BigInteger requestId = requestIdOf(pool.send(borrower, requestRiskAssessment(c.inputs(), deadline(3600))));
        BigInteger other = c.outputs().getFirst().add(BigInteger.ONE).mod(BigInteger.valueOf(3));
        assertRevert(() -> oracle.send(relayer, fulfil(requestId, c.inputs(), List.of(other), c.proof())), "ProofRejected");
        BigInteger r = new BigInteger("21888242871839275222246405745257275088548364400416063344570872155049577058817");
        assertRevert(() -> oracle.send(relayer, fulfil(requestId, c.inputs(), List.of(c.outputs().getFirst().add(r)), c.proof())),
                "ProofRejected");
        assertRevert(() -> oracle.send(relayer, fulfil(requestId, c.inputs(), List.of(), c.proof())), "WrongOutputCount");
    }

    @Test
    void afterTheDeadlineItCannotBeFulfilledAndTheFeeIsRefunded() {
        Case c = cases.get(1);
        BigInteger fee = BigInteger.valueOf(5_000);
        BigInteger requestId = requestIdOf(oracle.send(stranger, requestInference(modelId, c.inputs(), "0x0000000000000000000000000000000000000000",
                deadline(60), 0), fee));
        assertRevert(() -> oracle.send(stranger, fn("cancel", List.of(new Uint256(requestId)), List.of())), "NotExpired");
        node.advanceTime(120);
        assertRevert(() -> oracle.send(relayer, fulfil(requestId, c.inputs(), c.outputs(), c.proof())), "Expired");
        assertRevert(() -> oracle.send(relayer, fn("cancel", List.of(new Uint256(requestId)), List.of())), "NotRequester");
        oracle.send(stranger, fn("cancel", List.of(new Uint256(requestId)), List.of()));
        BigInteger refund = oracle.callSingle(fn("balances", List.of(new Address(stranger)), List.of(new TypeReference<Uint256>() { })));
        assertThat(refund).isEqualTo(fee);
        oracle.send(stranger, fn("withdraw", List.of(), List.of()));
        assertRevert(() -> oracle.send(stranger, fn("withdraw", List.of(), List.of())), "NothingToWithdraw");
        assertRevert(() -> oracle.send(stranger, fn("cancel", List.of(new Uint256(requestId)), List.of())), "NotPending");
    }

    @Test
    void badRequestsAreRefused() {
        Case c = cases.get(0);
        assertRevert(() -> oracle.send(stranger, requestInference(modelId, c.inputs().subList(0, 4), stranger, deadline(60), 0)),
                "WrongInputCount");
        assertRevert(() -> oracle.send(stranger, requestInference(modelId.add(BigInteger.TEN), c.inputs(), stranger, deadline(60), 0)),
                "UnknownModel");
        assertRevert(() -> oracle.send(stranger, requestInference(modelId, c.inputs(), stranger, 1, 0)), "BadDeadline");
        assertRevert(() -> oracle.send(stranger, requestInference(modelId, c.inputs(), stranger, deadline(60), 3_000_000)),
                "CallbackGasTooHigh");
    }

    @Test
    void aFailingConsumerDoesNotUndoTheFulfilment() {
        // the registry as a "consumer": it has no onInferenceFulfilled, so the callback reverts
        Case c = cases.get(1);
        BigInteger requestId = requestIdOf(oracle.send(stranger, requestInference(modelId, c.inputs(), registry.address(),
                deadline(600), 100_000)));
        EvmContract.Tx ful = oracle.send(relayer, fulfil(requestId, c.inputs(), c.outputs(), c.proof()));
        assertThat((Boolean) oracle.events(ful, INFERENCE_FULFILLED).getFirst().get(3).getValue()).isFalse();
        assertRevert(() -> oracle.send(relayer, fulfil(requestId, c.inputs(), c.outputs(), c.proof())), "NotPending");
    }

    @Test
    void theRegistryChecksDirectlyAndOnlyTheOwnerChangesAModel() {
        Case c = cases.get(2);
        Function valid = fn("isValidInference", List.of(new Uint256(modelId), words(c.inputs()), words(c.outputs()),
                new DynamicBytes(c.proof())), List.of(new TypeReference<Bool>() { }));
        assertThat((Boolean) registry.callSingle(valid)).isTrue();
        Function wrong = fn("isValidInference", List.of(new Uint256(modelId), words(c.inputs()),
                words(List.of(c.outputs().getFirst().add(BigInteger.ONE))), new DynamicBytes(c.proof())),
                List.of(new TypeReference<Bool>() { }));
        assertThat((Boolean) registry.callSingle(wrong)).isFalse();

        EvmContract.Tx direct = registry.send(stranger, fn("verifyInferenceWithInputs", List.of(new Uint256(modelId),
                words(c.inputs()), words(c.outputs()), new DynamicBytes(c.proof())), List.of()));
        assertThat(registry.events(direct, INFERENCE_VERIFIED)).hasSize(1);
        System.out.printf("[gas] registry.verifyInferenceWithInputs (Groth16, %d public inputs, record) %d%n",
                c.inputs().size() + c.outputs().size(), direct.gasUsed());
        assertRevert(() -> registry.send(stranger, fn("verifyInference", List.of(new Uint256(modelId), new Bytes32(new byte[32]),
                new DynamicBytes(new byte[0]), new DynamicBytes(c.proof())), List.of())), "NotHashedInputs");

        assertRevert(() -> registry.send(stranger, updateModel(modelId, commitment(verifier.address(), circuitHash, vkHash))),
                "NotModelOwner");
        assertRevert(() -> registry.send(deployer, registerModel(commitment(stranger, circuitHash, vkHash))), "VerifierHasNoCode");
        assertRevert(() -> registry.send(deployer, registerModel(commitment(verifier.address(), new byte[32], vkHash))),
                "InvalidCommitment");
    }

    @Test
    void aPoolRefusesAModelThatWasRepointed() {
        // A second registration of the same circuit, owned by the deployer, and a pool pinned to it.
        EvmContract.Tx reg = registry.send(deployer, registerModel(commitment(verifier.address(), circuitHash, vkHash)));
        BigInteger id = registry.callSingle(fn("modelCount", List.of(), List.of(new TypeReference<Uint256>() { })));
        assertThat(reg.gasUsed()).isPositive();
        EvmContract pinned = EvmContract.deploy(node, contracts.lendingPool(), deployer, new Address(oracle.address()),
                new Uint256(id), new DynamicArray<>(Uint16.class, FACTORS.stream().map(Uint16::new).toList()));
        Case c = cases.get(0);
        BigInteger requestId = requestIdOf(pinned.send(borrower, requestRiskAssessment(c.inputs(), deadline(3600))));
        byte[] otherKey = vkHash.clone();
        otherKey[0] ^= 1;
        registry.send(deployer, updateModel(id, commitment(verifier.address(), circuitHash, otherKey)));
        EvmContract.Tx ful = oracle.send(relayer, fulfil(requestId, c.inputs(), c.outputs(), c.proof()));
        List<List<Type>> f = oracle.events(ful, INFERENCE_FULFILLED);
        assertThat((Boolean) f.getFirst().get(3).getValue()).as("the pool refused the re-pointed model").isFalse();
        BigInteger factor = pinned.callSingle(fn("collateralFactorBps", List.of(new Address(borrower)),
                List.of(new TypeReference<Uint16>() { })));
        assertThat(factor).isZero();
    }

    // --- encoding helpers ------------------------------------------------------------------

    static final Event INFERENCE_REQUESTED = new Event("InferenceRequested", List.of(
            new TypeReference<Uint256>(true) { }, new TypeReference<Uint256>(true) { }, new TypeReference<Address>(true) { },
            new TypeReference<DynamicArray<Uint256>>() { }, new TypeReference<Address>() { }, new TypeReference<Uint64>() { },
            new TypeReference<Uint32>() { }, new TypeReference<Uint256>() { }));
    static final Event INFERENCE_FULFILLED = new Event("InferenceFulfilled", List.of(
            new TypeReference<Uint256>(true) { }, new TypeReference<Uint256>(true) { }, new TypeReference<Uint256>() { },
            new TypeReference<DynamicArray<Uint256>>() { }, new TypeReference<Address>() { }, new TypeReference<Bool>() { }));
    static final Event INFERENCE_VERIFIED = new Event("InferenceVerified", List.of(
            new TypeReference<Uint256>(true) { }, new TypeReference<Uint256>(true) { }, new TypeReference<Bytes32>(true) { },
            new TypeReference<DynamicArray<Uint256>>() { }, new TypeReference<Address>() { }));

    private BigInteger requestIdOf(EvmContract.Tx tx) {
        String topic = org.web3j.abi.EventEncoder.encode(INFERENCE_REQUESTED);
        return tx.logs().stream()
                .filter(l -> l.getAddress().equalsIgnoreCase(oracle.address()) && l.getTopics().getFirst().equals(topic))
                .map(l -> new BigInteger(l.getTopics().get(1).substring(2), 16))
                .findFirst().orElseThrow(() -> new AssertionError("no InferenceRequested in " + tx.hash()));
    }

    private long deadline(long secondsFromNow) {
        try {
            BigInteger now = node.web3j().ethGetBlockByNumber(org.web3j.protocol.core.DefaultBlockParameterName.LATEST, false)
                    .send().getBlock().getTimestamp();
            return now.longValueExact() + secondsFromNow;
        } catch (IOException e) {
            throw new ChainException("eth_getBlockByNumber: " + e.getMessage(), e);
        }
    }

    static void assertRevert(Runnable call, String errorName) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(EvmContract.Reverted.class,
                r -> assertThat(r.errorName()).as(r.getMessage()).isEqualTo(errorName));
    }

    static StaticStruct commitment(String verifierAddress, byte[] circuit, byte[] vk) {
        return new StaticStruct(new Bytes32(new byte[32]), new Bytes32(circuit), new Bytes32(vk), new Uint8(1),
                new Address(verifierAddress), new Uint16(5), new Uint16(1), new Bool(false));
    }

    static Function registerModel(StaticStruct c) {
        return fn("registerModel", List.of(c), List.of(new TypeReference<Uint256>() { }));
    }

    static Function updateModel(BigInteger id, StaticStruct c) {
        return fn("updateModel", List.of(new Uint256(id), c), List.of());
    }

    static Function requestRiskAssessment(List<BigInteger> inputs, long deadline) {
        return fn("requestRiskAssessment", List.of(words(inputs), new Uint64(deadline)), List.of(new TypeReference<Uint256>() { }));
    }

    static Function requestInference(BigInteger modelId, List<BigInteger> inputs, String callback, long deadline, long gas) {
        return fn("requestInference", List.of(new Uint256(modelId), words(inputs), new Address(callback), new Uint64(deadline),
                new Uint32(gas)), List.of(new TypeReference<Uint256>() { }));
    }

    static Function fulfil(BigInteger requestId, List<BigInteger> inputs, List<BigInteger> outputs, byte[] proof) {
        return fn("fulfil", List.of(new Uint256(requestId), words(inputs), words(outputs), new DynamicBytes(proof)),
                List.of(new TypeReference<Uint256>() { }));
    }

    static DynamicArray<Uint256> words(List<BigInteger> values) {
        return new DynamicArray<>(Uint256.class, values.stream().map(Uint256::new).toList());
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    static Function fn(String name, List<? extends Type> in, List<TypeReference<?>> out) {
        return new Function(name, (List<Type>) (List) in, out);
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
