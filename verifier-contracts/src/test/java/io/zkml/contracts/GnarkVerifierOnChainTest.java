package io.zkml.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.QuantizationSettings;
import io.zkml.compiler.tribuo.ImportedModel;
import io.zkml.compiler.tribuo.TribuoModelReader;
import io.zkml.prover.Bn254;
import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.ErrorCode;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.NativeProverException;
import io.zkml.prover.Proof;
import io.zkml.prover.ProvingKey;
import io.zkml.prover.SetupResult;
import io.zkml.prover.VerifyingKey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * gnark's Groth16 verifier on a real chain, made the way the service makes it: IR (golden files, and
 * the demo model through the Tribuo import and the compiler) → R1CS → setup → prove → export
 * Solidity → solc → deploy on anvil. A real proof must verify; a proof with one byte changed, a
 * changed public input, and a public input outside the field must be rejected, on chain and off
 * chain alike.
 */
@EvmTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GnarkVerifierOnChainTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path REPO = Path.of(System.getProperty("zkml.repo.dir", "..")).toAbsolutePath().normalize();
    private static final Path GOLDEN = REPO.resolve("testdata/golden");

    @TempDir
    Path keys;

    private Groth16Prover prover;
    private SolidityCompiler solc;
    private AnvilNode node;
    private final Map<String, Deployed> deployed = new HashMap<>();

    /** A circuit with its keys, one real proof, and its verifier deployed on the node. */
    private record Deployed(String name, VerifyingKey vk, Proof proof, List<BigInteger> publicInputs,
                            List<BigInteger> expectedOutput, CompiledContract contract, VerifierContract verifier,
                            int constraints) {
    }

    static Stream<Arguments> circuits() {
        return Stream.of(Arguments.of("ir-v1/classifier-3x4"), Arguments.of("ir-v1/classifier-4x2-rescaled"),
                Arguments.of("ir-v1/regressor-2x3"), Arguments.of("ir-v2/voting-forest"),
                Arguments.of("ir-v2/regression-forest"), Arguments.of("demo:credit-risk"), Arguments.of("demo:eth-price"),
                Arguments.of("demo:credit-forest"), Arguments.of("tribuo:cart"),
                Arguments.of("tribuo:extra-trees-regression"));
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
    @MethodSource("circuits")
    void realProofVerifiesOnChainAndOffChain(String circuit) {
        Deployed d = deployed(circuit);

        assertThat(d.proof().outputs()).as("native outputs = expected outputs").isEqualTo(d.expectedOutput());
        byte[] calldata = VerifierContract.verifyProofCalldata(d.proof().solidityProof(), d.publicInputs());
        assertThat("0x" + HexFormat.of().formatHex(calldata)).as("Java and Go encode the same calldata")
                .isEqualTo(d.proof().calldataHex());
        VerifierContract.CallOutcome onChain = d.verifier().call(calldata);
        assertThat(onChain.success()).as("on chain: %s", onChain.revertReason()).isTrue();
        assertThat(offChain(d, d.proof().solidityProof(), d.publicInputs())).isTrue();

        VerifierContract.TransactionOutcome tx = d.verifier().transact(calldata);
        assertThat(tx.success()).isTrue();
        System.out.printf("[evm] %-24s constraints=%d publicInputs=%d deployedSize=%d B creationSize=%d B "
                        + "deployGas=%d verifyGasUsed=%d verifyGasEstimate=%d solc=%s%n",
                d.name(), d.constraints(), d.publicInputs().size(), d.contract().deployedSize(),
                d.contract().creationSize(), d.verifier().deploymentGasUsed(), tx.gasUsed(), tx.gasEstimate(),
                d.contract().compilerVersion());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("circuits")
    void verifierFitsTheMainnetCodeSizeLimit(String circuit) {
        Deployed d = deployed(circuit);
        assertThat(d.contract().deployedSize()).isLessThan(CompiledContract.MAX_DEPLOYED_SIZE);
        assertThat(d.verifier().deployedCodeSize()).isEqualTo(d.contract().deployedSize());
        assertThat(d.contract().fitsMainnetLimits()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("circuits")
    void proofWithOneByteChangedIsRejected(String circuit) {
        Deployed d = deployed(circuit);
        // A.x low byte, a byte of B, C.y high and low bytes.
        for (int at : new int[]{31, 100, 224, 255}) {
            byte[] tampered = d.proof().solidityProof();
            tampered[at] ^= 0x01;
            // The pairing check's verdict, not some other revert (a calldata or length error would also revert).
            VerifierContract.CallOutcome out = d.verifier().call(VerifierContract.verifyProofCalldata(tampered, d.publicInputs()));
            assertThat(out.success()).as("on chain, byte %d changed", at).isFalse();
            assertThat(out.revertReason()).as("on chain, byte %d changed", at).isEqualTo("ProofInvalid()");
            assertThat(offChain(d, tampered, d.publicInputs())).as("off chain, byte %d changed", at).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("circuits")
    void negatedProofPointIsRejected(String circuit) {
        // -A is on the curve and in the subgroup: only the pairing check can reject it.
        Deployed d = deployed(circuit);
        byte[] p = d.proof().solidityProof();
        BigInteger fp = new BigInteger("21888242871839275222246405745257275088696311157297823662689037894645226208583");
        BigInteger ay = new BigInteger(1, java.util.Arrays.copyOfRange(p, 32, 64));
        byte[] negY = fp.subtract(ay).toByteArray();
        byte[] word = new byte[32];
        System.arraycopy(negY, Math.max(0, negY.length - 32), word, 32 - Math.min(32, negY.length), Math.min(32, negY.length));
        System.arraycopy(word, 0, p, 32, 32);

        VerifierContract.CallOutcome out = d.verifier().call(VerifierContract.verifyProofCalldata(p, d.publicInputs()));
        assertThat(out.success()).isFalse();
        assertThat(out.revertReason()).isEqualTo("ProofInvalid()");
        assertThat(offChain(d, p, d.publicInputs())).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("circuits")
    void changedPublicInputIsRejected(String circuit) {
        Deployed d = deployed(circuit);
        int n = d.publicInputs().size();
        for (int i : new int[]{0, n - 1}) { // the first input, the last output
            List<BigInteger> changed = new ArrayList<>(d.publicInputs());
            changed.set(i, changed.get(i).add(BigInteger.ONE).mod(Bn254.R));
            VerifierContract.CallOutcome out = d.verifier().call(VerifierContract.verifyProofCalldata(d.proof().solidityProof(), changed));
            assertThat(out.success()).as("on chain, public input %d changed", i).isFalse();
            assertThat(out.revertReason()).isEqualTo("ProofInvalid()");
            assertThat(offChain(d, d.proof().solidityProof(), changed)).as("off chain, public input %d changed", i).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("circuits")
    void publicInputOutsideTheFieldIsRejected(String circuit) {
        // x + r is the same residue as x: a verifier that reduced it would accept a second encoding.
        Deployed d = deployed(circuit);
        List<BigInteger> aliased = new ArrayList<>(d.publicInputs());
        aliased.set(0, aliased.get(0).add(Bn254.R));
        VerifierContract.CallOutcome out = d.verifier().call(VerifierContract.verifyProofCalldata(d.proof().solidityProof(), aliased));
        assertThat(out.success()).isFalse();
        assertThat(out.revertReason()).isEqualTo("PublicInputNotInField()");
        assertThat(offChain(d, d.proof().solidityProof(), aliased)).isFalse();
    }

    /** The off-chain verdict: a malformed proof or public input counts as a rejection. */
    private boolean offChain(Deployed d, byte[] proof, List<BigInteger> publicInputs) {
        try {
            return prover.verify(d.vk(), proof, publicInputs);
        } catch (NativeProverException e) {
            assertThat(e.errorCode()).as(e.getMessage()).isEqualTo(ErrorCode.MALFORMED_PROOF);
            return false;
        }
    }

    private Deployed deployed(String circuit) {
        return deployed.computeIfAbsent(circuit, this::deploy);
    }

    private Deployed deploy(String circuit) {
        try {
            byte[] ir;
            List<BigInteger> input;
            List<BigInteger> expected;
            if (circuit.startsWith("tribuo:")) {
                byte[] model = circuit.equals("tribuo:cart") ? TribuoTreeModels.cart() : TribuoTreeModels.extraTreesRegression();
                ImportedModel imported = TribuoModelReader.read(model);
                CompiledCircuit compiled = CircuitCompiler.compile(imported, circuit.substring(7), sha256(model),
                        QuantizationSettings.defaults().withInputRanges(TribuoTreeModels.RANGES));
                ir = compiled.irJson();
                input = compiled.quantizeInput(TribuoTreeModels.INPUT);
                expected = compiled.evaluate(input);
            } else if (circuit.startsWith("demo:")) {
                Path dir = REPO.resolve("examples").resolve(circuit.substring(5));
                byte[] model = Files.readAllBytes(dir.resolve("model.tribuo"));
                ImportedModel imported = TribuoModelReader.read(model);
                // The demo's declared input ranges, as a user would send them with the upload.
                QuantizationSettings settings = JSON.readValue(dir.resolve("quantization.json").toFile(), QuantizationSettings.class);
                CompiledCircuit compiled = CircuitCompiler.compile(imported, circuit.substring(5), sha256(model), settings);
                ir = compiled.irJson();
                double[] real = JSON.readValue(dir.resolve("input.json").toFile(), DemoInput.class).input();
                input = compiled.quantizeInput(real);
                expected = compiled.evaluate(input);
            } else {
                ir = Files.readAllBytes(GOLDEN.resolve(circuit + ".ir.json"));
                JsonNode c = JSON.readTree(GOLDEN.resolve(circuit + ".cases.json").toFile()).get("cases").get(1);
                input = integers(c.get("input"));
                expected = integers(c.get("output"));
            }
            try (ConstraintSystem cs = prover.compile(ir)) {
                Path pkFile = keys.resolve(circuit.replace(':', '-').replace('/', '-') + ".pk");
                Path vkFile = keys.resolve(circuit.replace(':', '-').replace('/', '-') + ".vk");
                SetupResult setup = prover.setup(cs, pkFile, vkFile);
                assertThat(setup.verifyingKeySha256()).hasSize(64);
                Proof proof;
                try (ProvingKey pk = prover.loadProvingKey(pkFile)) {
                    proof = prover.prove(cs, pk, input);
                }
                VerifyingKey vk = prover.loadVerifyingKey(vkFile);
                String source = prover.exportSolidity(vk);
                CompiledContract contract = solc.compile("Verifier.sol", source, VerifierContract.GNARK_CONTRACT_NAME);
                VerifierContract verifier = VerifierContract.deploy(node, contract);
                List<BigInteger> publicInputs = proof.publicInputs().stream().map(BigInteger::new).toList();
                List<BigInteger> expectedPublic = new ArrayList<>();
                input.forEach(v -> expectedPublic.add(Bn254.toField(v)));
                expected.forEach(v -> expectedPublic.add(Bn254.toField(v)));
                assertThat(publicInputs).as("public inputs = inputs then outputs, as field elements").isEqualTo(expectedPublic);
                return new Deployed(circuit, vk, proof, publicInputs, expected, contract, verifier, cs.constraints());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the files of " + circuit + ": " + e.getMessage(), e);
        } catch (Exception e) {
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(circuit + ": " + e.getMessage(), e);
        }
    }

    /** {@code examples/<demo>/input.json}: one input in feature order. */
    record DemoInput(double[] input) {
    }

    private static List<BigInteger> integers(JsonNode array) {
        List<BigInteger> out = new ArrayList<>();
        array.forEach(v -> out.add(new BigInteger(v.asString())));
        return out;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
