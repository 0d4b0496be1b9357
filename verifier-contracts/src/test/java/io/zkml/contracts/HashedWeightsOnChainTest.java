package io.zkml.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.ir.Visibility;
import io.zkml.prover.Bn254;
import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.ErrorCode;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.NativeProverException;
import io.zkml.prover.Proof;
import io.zkml.prover.ProvingKey;
import io.zkml.prover.VerifyingKey;

/**
 * Hashed weights on a real chain (issue 8, ADR 0025): the credit-risk demo with its weights hashed
 * (inputs public, or hashed, or inputs and outputs hashed). Each proof verifies with gnark's Solidity
 * verifier on anvil and off chain, its public inputs are the Java reference's (the weights commitment
 * included: the Go gadget and the Java Poseidon2 agree), and a changed weights commitment, the
 * weights commitment under another salt and a changed first public input are rejected. The golden
 * 3×4 document shows what "one circuit per architecture" means on chain: one verifier contract
 * accepts proofs of two models, each with its own weights commitment, and not one model's proof
 * with the other's commitment — which is why a consumer pins the weightsCommitment.
 */
@EvmTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HashedWeightsOnChainTest {

    static final long GAS_BAR = 250_000;
    private static final Path REPO = Path.of(System.getProperty("zkml.repo.dir", "..")).toAbsolutePath().normalize();
    private static final BigInteger SALT = new BigInteger("9487031582318541238958376041389045823571639827591037419237490123748912374891");
    private static final BigInteger OUTPUT_SALT = new BigInteger("1234567890123456789012345678901234567890");
    private static final BigInteger WEIGHTS_SALT = new BigInteger("777777777777777777777777777777777777777777777");

    @TempDir
    Path keys;

    private Groth16Prover prover;
    private SolidityCompiler solc;
    private AnvilNode node;
    private final Map<String, Deployed> deployed = new HashMap<>();

    private record Deployed(String name, CompiledCircuit circuit, VerifyingKey vk, Proof proof, List<BigInteger> publicInputs,
                            CompiledContract contract, VerifierContract verifier, int constraints, int weightsAt) {
    }

    @BeforeAll
    void start() {
        prover = Groth16Prover.load();
        solc = SolidityCompiler.locate();
        node = AnvilNode.start(solc.toolchain());
    }

    @AfterAll
    void stop() {
        if (node != null) {
            node.close();
        }
        deployed.values().forEach(d -> d.vk().close());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"public/public", "hashed/public", "hashed/hashed"})
    void theProofVerifiesOnChainAndAChangedWeightsCommitmentDoesNot(String vis) {
        Deployed d = deployed.computeIfAbsent(vis, this::deploy);
        byte[] calldata = VerifierContract.verifyProofCalldata(d.proof().solidityProof(), d.publicInputs());
        assertThat("0x" + HexFormat.of().formatHex(calldata)).isEqualTo(d.proof().calldataHex());
        assertThat(d.verifier().call(calldata).success()).isTrue();
        assertThat(offChain(d, d.publicInputs())).isTrue();
        VerifierContract.TransactionOutcome tx = d.verifier().transact(calldata);
        assertThat(tx.success()).isTrue();
        System.out.printf("[evm-visibility] credit-risk weights=hashed input/output=%-14s constraints=%d publicInputs=%d "
                        + "commitments=%d deployedSize=%d B verifyGasUsed=%d%n",
                vis, d.constraints(), d.publicInputs().size(), d.proof().commitments().size(), d.contract().deployedSize(), tx.gasUsed());
        assertThat(d.contract().deployedSize()).isLessThan(CompiledContract.MAX_DEPLOYED_SIZE);
        if (!vis.startsWith("public")) {
            assertThat(tx.gasUsed()).as("hashed inputs and weights: a few words whatever the model").isLessThanOrEqualTo(GAS_BAR);
        }
        BigInteger w = d.publicInputs().get(d.weightsAt());
        assertThat(w).isEqualTo(d.circuit().weightsCommitment(WEIGHTS_SALT).orElseThrow());
        assertRejected(d, d.weightsAt(), w.add(BigInteger.ONE).mod(Bn254.R), "the weights commitment + 1");
        assertRejected(d, d.weightsAt(), d.circuit().weightsCommitment(WEIGHTS_SALT.add(BigInteger.ONE)).orElseThrow(),
                "the weights commitment under another salt");
        assertRejected(d, 0, d.publicInputs().getFirst().add(BigInteger.ONE).mod(Bn254.R), "the first public input");
    }

    /** One verifier contract for the architecture: two models' proofs verify, each only with its own weights commitment. */
    @Test
    void oneVerifierServesTwoModelsOfOneArchitectureEachPinnedByItsCommitment() throws Exception {
        Path golden = REPO.resolve("testdata/golden/hashed-weights");
        byte[] ir = Files.readAllBytes(golden.resolve("linear-3x4-hashed-weights.ir.json"));
        JsonNode cases = JsonMapper.builder().build().readTree(golden.resolve("linear-3x4-hashed-weights.cases.json").toFile());
        JsonNode a = cases.get("cases").get(5);
        JsonNode b = cases.get("cases").get(cases.get("cases").size() - 1);
        try (ConstraintSystem cs = prover.compile(ir)) {
            prover.setup(cs, keys.resolve("g.pk"), keys.resolve("g.vk"));
            try (ProvingKey pk = prover.loadProvingKey(keys.resolve("g.pk"));
                 VerifyingKey vk = prover.loadVerifyingKey(keys.resolve("g.vk"))) {
                CompiledContract contract = solc.compile("Verifier.sol", prover.exportSolidity(vk), VerifierContract.GNARK_CONTRACT_NAME);
                VerifierContract verifier = VerifierContract.deploy(node, contract);
                Proof pa = prove(pk, cs, a);
                Proof pb = prove(pk, cs, b);
                List<BigInteger> ia = ints(a.get("publicInputs"));
                List<BigInteger> ib = ints(b.get("publicInputs"));
                assertThat(pa.publicInputs()).isEqualTo(ia.stream().map(BigInteger::toString).toList());
                assertThat(pb.publicInputs()).isEqualTo(ib.stream().map(BigInteger::toString).toList());
                assertThat(ia.get(4)).isNotEqualTo(ib.get(4)); // two weights commitments
                assertThat(verifier.call(VerifierContract.verifyProofCalldata(pa.solidityProof(), ia)).success()).isTrue();
                assertThat(verifier.call(VerifierContract.verifyProofCalldata(pb.solidityProof(), ib)).success()).isTrue();
                List<BigInteger> swapped = new ArrayList<>(ia);
                swapped.set(4, ib.get(4));
                assertThat(verifier.call(VerifierContract.verifyProofCalldata(pa.solidityProof(), swapped)).success())
                        .as("model A's proof with model B's weights commitment").isFalse();
            }
        }
    }

    private Proof prove(ProvingKey pk, ConstraintSystem cs, JsonNode c) {
        Map<String, List<BigInteger>> w = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : c.get("weights").properties()) {
            w.put(e.getKey(), ints(e.getValue()));
        }
        return prover.prove(cs, pk, ints(c.get("input")), null, null, w, new BigInteger(c.get("weightsSalt").asString()));
    }

    private static List<BigInteger> ints(JsonNode a) {
        List<BigInteger> out = new ArrayList<>();
        a.forEach(v -> out.add(new BigInteger(v.asString())));
        return out;
    }

    private void assertRejected(Deployed d, int at, BigInteger value, String what) {
        List<BigInteger> changed = new ArrayList<>(d.publicInputs());
        changed.set(at, value);
        VerifierContract.CallOutcome out = d.verifier().call(VerifierContract.verifyProofCalldata(d.proof().solidityProof(), changed));
        assertThat(out.success()).as("%s: on chain, %s", d.name(), what).isFalse();
        assertThat(offChain(d, changed)).as("%s: off chain, %s", d.name(), what).isFalse();
    }

    private boolean offChain(Deployed d, List<BigInteger> publicInputs) {
        try {
            return prover.verify(d.vk(), d.proof().solidityProof(), publicInputs);
        } catch (NativeProverException e) {
            assertThat(e.errorCode()).isEqualTo(ErrorCode.MALFORMED_PROOF);
            return false;
        }
    }

    private Deployed deploy(String vis) {
        try {
            String[] v = vis.split("/");
            Visibility in = Visibility.fromIrName(v[0]).orElseThrow(), out = Visibility.fromIrName(v[1]).orElseThrow();
            CompiledCircuit c = CompiledCircuit.fromIr(Files.readAllBytes(REPO.resolve("examples/credit-risk/circuit.ir.json")))
                    .withVisibility(in, out)
                    .withHashedWeights(CompiledCircuit.DEFAULT_HASHED_WEIGHT_BITS, CompiledCircuit.DEFAULT_HASHED_BIAS_BITS);
            List<BigInteger> input = c.quantizeInput(new double[]{12.5, 0.35, 85, 1, 25});
            BigInteger salt = in == Visibility.HASHED ? SALT : null;
            BigInteger outputSalt = out == Visibility.HASHED ? OUTPUT_SALT : null;
            try (ConstraintSystem cs = prover.compile(c.irJson())) {
                String file = vis.replace('/', '-');
                prover.setup(cs, keys.resolve(file + ".pk"), keys.resolve(file + ".vk"));
                Proof proof;
                try (ProvingKey pk = prover.loadProvingKey(keys.resolve(file + ".pk"))) {
                    proof = prover.prove(cs, pk, input, salt, outputSalt, c.weights(), WEIGHTS_SALT);
                }
                assertThat(proof.outputs()).isEqualTo(c.evaluate(input));
                List<BigInteger> publicInputs = proof.publicInputs().stream().map(BigInteger::new).toList();
                assertThat(publicInputs).as("%s: the Go circuit's public inputs = the Java reference's", vis)
                        .isEqualTo(c.publicInputs(input, salt, outputSalt, WEIGHTS_SALT));
                VerifyingKey vk = prover.loadVerifyingKey(keys.resolve(file + ".vk"));
                CompiledContract contract = solc.compile("Verifier.sol", prover.exportSolidity(vk), VerifierContract.GNARK_CONTRACT_NAME);
                return new Deployed(vis, c, vk, proof, publicInputs, contract, VerifierContract.deploy(node, contract),
                        cs.constraints(), c.weightsCommitmentIndex());
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(vis + ": " + e.getMessage(), e);
        }
    }
}
