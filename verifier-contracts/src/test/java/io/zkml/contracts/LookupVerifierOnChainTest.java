package io.zkml.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

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
import io.zkml.prover.PlonkProver;
import io.zkml.prover.SetupOptions;
import io.zkml.prover.Proof;
import io.zkml.prover.ProvingKey;
import io.zkml.prover.VerifyingKey;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 7, range checks by lookup: the credit-risk demo compiled with {@code "range_check": "lookup"}
 * (gnark's std/rangecheck, one BSB22 commitment), set up, proven (Keccak-256 hash-to-field, as the
 * Solidity verifier recomputes it), and checked by gnark's exported Groth16 verifier on anvil. The
 * 384-byte proof verifies; a changed byte of A, of the commitment or of its proof of knowledge, and a
 * changed public input are rejected on chain and off chain. Prints the verification gas of both
 * range-check modes for the same model.
 */
@EvmTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LookupVerifierOnChainTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path REPO = Path.of(System.getProperty("zkml.repo.dir", "..")).toAbsolutePath().normalize();

    @TempDir
    static Path keys;

    private Groth16Prover prover;
    private SolidityCompiler solc;
    private AnvilNode node;

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
    }

    private record Made(Proof proof, List<BigInteger> publicInputs, VerifyingKey vk, VerifierContract verifier, int constraints) {
    }

    private Made make(CompiledCircuit compiled, List<BigInteger> input, String name) throws Exception {
        try (ConstraintSystem cs = prover.compile(compiled.irJson())) {
            Path pk = keys.resolve(name + ".pk");
            Path vkFile = keys.resolve(name + ".vk");
            prover.setup(cs, pk, vkFile);
            Proof proof;
            try (ProvingKey k = prover.loadProvingKey(pk)) {
                proof = prover.prove(cs, k, input);
            }
            VerifyingKey vk = prover.loadVerifyingKey(vkFile);
            String source = prover.exportSolidity(vk);
            CompiledContract contract = solc.compile("Verifier.sol", source, VerifierContract.GNARK_CONTRACT_NAME);
            VerifierContract verifier = VerifierContract.deploy(node, contract);
            List<BigInteger> publicInputs = proof.publicInputs().stream().map(BigInteger::new).toList();
            return new Made(proof, publicInputs, vk, verifier, cs.constraints());
        }
    }

    @Test
    void lookupProofVerifiesOnChainAndTamperedOnesDoNot() throws Exception {
        Path dir = REPO.resolve("examples/credit-risk");
        byte[] model = Files.readAllBytes(dir.resolve("model.tribuo"));
        ImportedModel imported = TribuoModelReader.read(model);
        QuantizationSettings settings = JSON.readValue(dir.resolve("quantization.json").toFile(), QuantizationSettings.class);
        CompiledCircuit bits = CircuitCompiler.compile(imported, "credit-risk", sha256(model), settings);
        CompiledCircuit lookup = bits.withRangeCheckLookup();
        assertThat(lookup.circuitHash()).isNotEqualTo(bits.circuitHash());
        double[] real = JSON.readValue(dir.resolve("input.json").toFile(), GnarkVerifierOnChainTest.DemoInput.class).input();
        List<BigInteger> input = lookup.quantizeInput(real);
        assertThat(lookup.evaluate(input)).isEqualTo(bits.evaluate(input));

        Made l = make(lookup, input, "lookup");
        Made b = make(bits, input, "bits");
        try {
            assertThat(l.proof().outputs()).isEqualTo(lookup.evaluate(input));
            assertThat(l.proof().solidityProof()).hasSize(384);
            assertThat(l.constraints()).isLessThan(b.constraints());
            byte[] calldata = VerifierContract.verifyProofCalldata(l.proof().solidityProof(), l.publicInputs());
            assertThat("0x" + HexFormat.of().formatHex(calldata)).as("Java and Go encode the same calldata")
                    .isEqualTo(l.proof().calldataHex());
            VerifierContract.CallOutcome ok = l.verifier().call(calldata);
            assertThat(ok.success()).as("on chain: %s", ok.revertReason()).isTrue();
            assertThat(prover.verify(l.vk(), l.proof().solidityProof(), l.publicInputs())).isTrue();

            // A.x, a byte of B, C.y, the commitment D.x and D.y, the proof of knowledge
            for (int at : new int[]{31, 100, 255, 256 + 31, 256 + 63, 320 + 31, 383}) {
                byte[] tampered = l.proof().solidityProof();
                tampered[at] ^= 0x01;
                VerifierContract.CallOutcome out = l.verifier().call(VerifierContract.verifyProofCalldata(tampered, l.publicInputs()));
                assertThat(out.success()).as("on chain, byte %d changed", at).isFalse();
                assertThat(offChain(l, tampered, l.publicInputs())).as("off chain, byte %d changed", at).isFalse();
            }
            // the 256-byte layout (commitment stripped) is refused by the contract's length check
            byte[] stripped = java.util.Arrays.copyOf(l.proof().solidityProof(), 256);
            assertThat(l.verifier().call(VerifierContract.verifyProofCalldata(stripped, l.publicInputs())).success()).isFalse();
            // a changed public input (the first input, the output)
            int n = l.publicInputs().size();
            for (int i : new int[]{0, n - 1}) {
                List<BigInteger> changed = new ArrayList<>(l.publicInputs());
                changed.set(i, changed.get(i).add(BigInteger.ONE).mod(Bn254.R));
                VerifierContract.CallOutcome out = l.verifier().call(VerifierContract.verifyProofCalldata(l.proof().solidityProof(), changed));
                assertThat(out.success()).as("on chain, public input %d changed", i).isFalse();
                assertThat(out.revertReason()).isEqualTo("ProofInvalid()");
                assertThat(offChain(l, l.proof().solidityProof(), changed)).isFalse();
            }

            // snarkjs cannot check a commitment: the export refuses the key instead of writing a wrong one
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.zkml.prover.SnarkjsExport.verificationKey(prover, l.vk()))
                    .isInstanceOf(io.zkml.prover.SnarkjsUnsupportedException.class).hasMessageContaining("commitment");

            long lookupGas = l.verifier().transact(calldata).gasUsed();
            long bitsGas = b.verifier().transact(VerifierContract.verifyProofCalldata(b.proof().solidityProof(), b.publicInputs())).gasUsed();
            System.out.printf("[evm] credit-risk groth16+bits constraints=%d verifyGasUsed=%d; groth16+lookup constraints=%d verifyGasUsed=%d%n",
                    b.constraints(), bitsGas, l.constraints(), lookupGas);
            assertThat(lookupGas).as("the commitment's proof-of-knowledge pairing costs gas").isGreaterThan(bitsGas);
        } finally {
            l.vk().close();
            b.vk().close();
        }
    }

    /**
     * PLONK on the lookup circuit (local SRS): gnark's PLONK verifier takes the 864-byte Solidity part
     * (768 + the commitment selector's value at zeta + the BSB22 commitment) and returns true; a changed
     * byte of the commitment or of a claimed value and a changed output make it return false (or revert).
     */
    @Test
    void plonkLookupProofVerifiesOnChainAndTamperedOnesDoNot() throws Exception {
        Path dir = REPO.resolve("examples/credit-risk");
        byte[] model = Files.readAllBytes(dir.resolve("model.tribuo"));
        QuantizationSettings settings = JSON.readValue(dir.resolve("quantization.json").toFile(), QuantizationSettings.class);
        CompiledCircuit lookup = CircuitCompiler.compile(TribuoModelReader.read(model), "credit-risk", sha256(model), settings)
                .withRangeCheckLookup();
        double[] real = JSON.readValue(dir.resolve("input.json").toFile(), GnarkVerifierOnChainTest.DemoInput.class).input();
        List<BigInteger> input = lookup.quantizeInput(real);
        PlonkProver plonk = PlonkProver.load();
        try (ConstraintSystem cs = plonk.compile(lookup.irJson())) {
            Path pk = keys.resolve("plonk-lookup.pk");
            Path vkFile = keys.resolve("plonk-lookup.vk");
            plonk.setup(cs, SetupOptions.localUnsafe(), pk, vkFile);
            Proof proof;
            try (ProvingKey k = plonk.loadProvingKey(pk, cs.circuitSha256())) {
                proof = plonk.prove(cs, k, input);
            }
            assertThat(proof.solidityProof()).hasSize(896);
            try (VerifyingKey vk = plonk.loadVerifyingKey(vkFile, cs.circuitSha256())) {
                CompiledContract contract = solc.compile("PlonkVerifier.sol", plonk.exportSolidity(vk),
                        VerifierContract.GNARK_PLONK_CONTRACT_NAME);
                VerifierContract verifier = VerifierContract.deploy(node, contract);
                List<BigInteger> pub = proof.publicInputs().stream().map(BigInteger::new).toList();
                byte[] calldata = VerifierContract.plonkVerifyCalldata(proof.solidityProof(), pub);
                assertThat("0x" + HexFormat.of().formatHex(calldata)).as("Java and Go encode the same calldata")
                        .isEqualTo(proof.calldataHex());
                assertThat(VerifierContract.plonkAccepted(verifier.call(calldata))).as("on chain").isTrue();
                assertThat(plonk.verify(vk, proof.solidityProof(), pub)).isTrue();
                // l(zeta), qcp(zeta) (word 24), the commitment's x (word 25) and y (word 26)
                for (int word : new int[]{12, 24, 25, 26}) {
                    byte[] b = proof.solidityProof();
                    b[word * 32 + 31] ^= 1;
                    assertThat(VerifierContract.plonkAccepted(verifier.call(VerifierContract.plonkVerifyCalldata(b, pub))))
                            .as("on chain, word %d changed", word).isFalse();
                    boolean off;
                    try {
                        off = plonk.verify(vk, b, pub);
                    } catch (NativeProverException e) {
                        assertThat(e.errorCode()).isEqualTo(ErrorCode.MALFORMED_PROOF);
                        off = false;
                    }
                    assertThat(off).as("off chain, word %d changed", word).isFalse();
                }
                List<BigInteger> changed = new ArrayList<>(pub);
                changed.set(pub.size() - 1, changed.getLast().add(BigInteger.ONE).mod(Bn254.R));
                assertThat(VerifierContract.plonkAccepted(verifier.call(VerifierContract.plonkVerifyCalldata(proof.solidityProof(),
                        changed)))).as("a changed output").isFalse();
                System.out.printf("[evm] credit-risk plonk+lookup constraints=%d verifyGasUsed=%d%n", cs.constraints(),
                        verifier.transact(calldata).gasUsed());
            }
        }
    }

    private boolean offChain(Made m, byte[] proof, List<BigInteger> publicInputs) {
        try {
            return prover.verify(m.vk(), proof, publicInputs);
        } catch (NativeProverException e) {
            assertThat(e.errorCode()).as(e.getMessage()).isEqualTo(ErrorCode.MALFORMED_PROOF);
            return false;
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
