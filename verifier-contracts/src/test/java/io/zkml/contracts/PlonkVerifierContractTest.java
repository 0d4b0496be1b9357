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
import org.junit.jupiter.api.Test;
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
import io.zkml.prover.NativeProverException;
import io.zkml.prover.PlonkProver;
import io.zkml.prover.Proof;
import io.zkml.prover.ProvingKey;
import io.zkml.prover.PtauInfo;
import io.zkml.prover.SetupOptions;
import io.zkml.prover.SetupResult;
import io.zkml.prover.VerifyingKey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * gnark's PLONK verifier on a real chain (issue 7): a golden circuit set up on a powers-of-tau file
 * that the pinned snarkjs makes ({@code powersoftau new} + {@code contribute}, power 8: the real
 * {@code .ptau} format through the checked reader), and the credit-risk demo on a locally drawn SRS
 * (for its gas). The exported {@code Verify(bytes,uint256[])} <b>returns</b> its verdict: a real
 * proof returns true; a tampered proof and a changed public input return false (or revert) and are
 * never accepted; the Go verifier agrees off chain. Gas is printed ({@code [evm]} lines).
 */
@EvmTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlonkVerifierContractTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path REPO = Path.of(System.getProperty("zkml.repo.dir", "..")).toAbsolutePath().normalize();
    private static final Path GOLDEN = REPO.resolve("testdata/golden");

    @TempDir
    static Path dir;

    private PlonkProver prover;
    private SolidityCompiler solc;
    private AnvilNode node;
    private Path ptau;
    private final Map<String, Deployed> deployed = new HashMap<>();

    private record Deployed(String name, VerifyingKey vk, Proof proof, List<BigInteger> publicInputs,
                            CompiledContract contract, VerifierContract verifier, int constraints, SetupResult setup) {
    }

    static Stream<Arguments> circuits() {
        return Stream.of(Arguments.of("ir-v1/regressor-2x3"), Arguments.of("demo:credit-risk"));
    }

    @BeforeAll
    void start() {
        prover = PlonkProver.load();
        solc = SolidityCompiler.locate();
        node = AnvilNode.start(solc.toolchain());
        ptau = SnarkjsCli.locate().powersOfTau(dir, 8, "entropy of the PLONK contract test");
    }

    @AfterAll
    void stop() {
        if (node != null) {
            node.close();
        }
        deployed.values().forEach(d -> d.vk().close());
    }

    @Test
    void theSnarkjsPowersOfTauFileIsReadAndChecked() throws IOException {
        PtauInfo info = prover.checkPtau(ptau, 0);
        assertThat(info.power()).isEqualTo(8);
        Deployed d = deployed("ir-v1/regressor-2x3");
        assertThat(d.setup().trust()).isEqualTo("universal-srs");
        assertThat(d.setup().srsSha256()).isEqualTo(sha256(Files.readAllBytes(ptau)));
        assertThat(d.vk().info().srsSha256()).isEqualTo(d.setup().srsSha256());
        assertThat(d.setup().srsPower()).isEqualTo(8);
        // a file with fewer powers than asked for is refused
        try {
            prover.checkPtau(ptau, 1L << 12);
            throw new AssertionError("a power-8 file was accepted for 4096 powers");
        } catch (NativeProverException e) {
            assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("circuits")
    void aRealProofReturnsTrueOnChain(String circuit) {
        Deployed d = deployed(circuit);
        byte[] calldata = VerifierContract.plonkVerifyCalldata(d.proof().solidityProof(), d.publicInputs());
        assertThat("0x" + HexFormat.of().formatHex(calldata)).as("Java and Go encode the same calldata")
                .isEqualTo(d.proof().calldataHex());
        VerifierContract.CallOutcome out = d.verifier().call(calldata);
        assertThat(out.success()).as("on chain: %s", out.revertReason()).isTrue();
        assertThat(VerifierContract.plonkAccepted(out)).isTrue();
        assertThat(offChain(d, d.proof().solidityProof(), d.publicInputs())).isTrue();

        VerifierContract.TransactionOutcome tx = d.verifier().transact(calldata);
        assertThat(tx.success()).isTrue();
        assertThat(d.contract().fitsMainnetLimits()).isTrue();
        System.out.printf("[evm] plonk %-22s trust=%s constraints=%d publicInputs=%d deployedSize=%d B deployGas=%d "
                        + "verifyGasUsed=%d verifyGasEstimate=%d calldata=%d B solc=%s%n",
                d.name(), d.setup().trust(), d.constraints(), d.publicInputs().size(), d.contract().deployedSize(),
                d.verifier().deploymentGasUsed(), tx.gasUsed(), tx.gasEstimate(), calldata.length,
                d.contract().compilerVersion());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("circuits")
    void aTamperedProofIsNotAccepted(String circuit) {
        Deployed d = deployed(circuit);
        // Scalars of the proof (l(zeta) = word 12, s2(zeta) = word 16, Z(omega zeta) = word 19): still
        // below r, so the verifier decodes them and only its checks can reject: it returns false.
        for (int word : new int[]{12, 16, 19}) {
            byte[] tampered = d.proof().solidityProof();
            tampered[word * 32 + 31] ^= 0x01;
            VerifierContract.CallOutcome out = d.verifier().call(VerifierContract.plonkVerifyCalldata(tampered, d.publicInputs()));
            assertThat(out.success()).as("word %d changed: returns (does not revert): %s", word, out.revertReason()).isTrue();
            assertThat(VerifierContract.plonkAccepted(out)).as("on chain, word %d changed", word).isFalse();
            assertThat(out.returnData()).as("returns the ABI word false").isEqualTo(new byte[32]);
            assertThat(offChain(d, tampered, d.publicInputs())).as("off chain, word %d changed", word).isFalse();
        }
        // A point coordinate (L.x): off the curve, or another point; never accepted.
        for (int at : new int[]{31, 6 * 32 + 31, 21 * 32 + 31}) {
            byte[] tampered = d.proof().solidityProof();
            tampered[at] ^= 0x01;
            VerifierContract.CallOutcome out = d.verifier().call(VerifierContract.plonkVerifyCalldata(tampered, d.publicInputs()));
            assertThat(VerifierContract.plonkAccepted(out)).as("on chain, byte %d changed", at).isFalse();
            assertThat(offChain(d, tampered, d.publicInputs())).as("off chain, byte %d changed", at).isFalse();
        }
        // A proof of another input of the same circuit, with these public inputs.
        byte[] zero = new byte[VerifierContract.PLONK_PROOF_BYTES];
        assertThat(VerifierContract.plonkAccepted(d.verifier().call(VerifierContract.plonkVerifyCalldata(zero, d.publicInputs()))))
                .as("an all-zero proof").isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("circuits")
    void aChangedPublicInputReturnsFalse(String circuit) {
        Deployed d = deployed(circuit);
        int n = d.publicInputs().size();
        for (int i : new int[]{0, n - 1}) {
            List<BigInteger> changed = new ArrayList<>(d.publicInputs());
            changed.set(i, changed.get(i).add(BigInteger.ONE).mod(Bn254.R));
            VerifierContract.CallOutcome out = d.verifier().call(VerifierContract.plonkVerifyCalldata(d.proof().solidityProof(), changed));
            assertThat(out.success()).as("public input %d changed: %s", i, out.revertReason()).isTrue();
            assertThat(VerifierContract.plonkAccepted(out)).as("on chain, public input %d changed", i).isFalse();
            assertThat(offChain(d, d.proof().solidityProof(), changed)).as("off chain, public input %d changed", i).isFalse();
        }
        // x + r aliases x: refused, not reduced
        List<BigInteger> aliased = new ArrayList<>(d.publicInputs());
        aliased.set(0, aliased.get(0).add(Bn254.R));
        VerifierContract.CallOutcome out = d.verifier().call(VerifierContract.plonkVerifyCalldata(d.proof().solidityProof(), aliased));
        assertThat(VerifierContract.plonkAccepted(out)).as("a public input + r").isFalse();
        // one public input too few
        VerifierContract.CallOutcome fewer = d.verifier().call(VerifierContract.plonkVerifyCalldata(d.proof().solidityProof(),
                d.publicInputs().subList(0, n - 1)));
        assertThat(VerifierContract.plonkAccepted(fewer)).as("one public input too few").isFalse();
    }

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
            SetupOptions options;
            if (circuit.startsWith("demo:")) {
                Path demo = REPO.resolve("examples").resolve(circuit.substring(5));
                byte[] model = Files.readAllBytes(demo.resolve("model.tribuo"));
                ImportedModel imported = TribuoModelReader.read(model);
                QuantizationSettings settings = JSON.readValue(demo.resolve("quantization.json").toFile(), QuantizationSettings.class);
                CompiledCircuit compiled = CircuitCompiler.compile(imported, circuit.substring(5), sha256(model), settings);
                ir = compiled.irJson();
                double[] real = JSON.readValue(demo.resolve("input.json").toFile(), GnarkVerifierOnChainTest.DemoInput.class).input();
                input = compiled.quantizeInput(real);
                // 585 PLONK constraints need a power-10 file, which snarkjs makes too slowly for a test
                options = SetupOptions.localUnsafe();
            } else {
                ir = Files.readAllBytes(GOLDEN.resolve(circuit + ".ir.json"));
                JsonNode c = JSON.readTree(GOLDEN.resolve(circuit + ".cases.json").toFile()).get("cases").get(1);
                input = new ArrayList<>();
                for (JsonNode v : c.get("input")) {
                    input.add(new BigInteger(v.asString()));
                }
                options = SetupOptions.ptau(ptau);
            }
            try (ConstraintSystem cs = prover.compile(ir)) {
                String base = circuit.replace(':', '-').replace('/', '-');
                Path pkFile = dir.resolve(base + ".plonk.pk");
                Path vkFile = dir.resolve(base + ".plonk.vk");
                SetupResult setup = prover.setup(cs, options, pkFile, vkFile);
                Proof proof;
                try (ProvingKey pk = prover.loadProvingKey(pkFile, cs.circuitSha256())) {
                    proof = prover.prove(cs, pk, input);
                }
                assertThat(proof.solidityProof()).hasSize(800);
                VerifyingKey vk = prover.loadVerifyingKey(vkFile, cs.circuitSha256());
                String source = prover.exportSolidity(vk);
                CompiledContract contract = solc.compile("PlonkVerifier.sol", source, VerifierContract.GNARK_PLONK_CONTRACT_NAME);
                VerifierContract verifier = VerifierContract.deploy(node, contract);
                List<BigInteger> publicInputs = proof.publicInputs().stream().map(BigInteger::new).toList();
                return new Deployed(circuit, vk, proof, publicInputs, contract, verifier, cs.constraints(), setup);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the files of " + circuit + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(circuit + ": " + e.getMessage(), e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
