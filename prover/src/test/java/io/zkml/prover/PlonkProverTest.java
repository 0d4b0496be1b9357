package io.zkml.prover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PLONK end to end through JNI on the worked example (a locally drawn SRS: the .ptau reader is
 * tested in Go, and on a snarkjs file in verifier-contracts), and the binding of keys and proofs to
 * their circuit and proving system.
 */
class PlonkProverTest {

    private static final PlonkProver PLONK = PlonkProver.load();
    private static final Groth16Prover GROTH16 = Groth16Prover.load();

    @TempDir
    static Path dir;

    private static Golden golden;
    private static ConstraintSystem cs;
    private static ProvingKey pk;
    private static VerifyingKey vk;
    private static SetupResult setup;
    private static Path pkFile;
    private static Path vkFile;

    @BeforeAll
    static void setUp() {
        golden = Golden.named("classifier-3x4.ir.json");
        cs = PLONK.compile(golden.ir());
        pkFile = dir.resolve("plonk.pk");
        vkFile = dir.resolve("plonk.vk");
        setup = PLONK.setup(cs, SetupOptions.localUnsafe(), pkFile, vkFile);
        pk = PLONK.loadProvingKey(pkFile, cs.circuitSha256());
        vk = PLONK.loadVerifyingKey(vkFile, cs.circuitSha256());
    }

    @AfterAll
    static void close() {
        cs.close();
        pk.close();
        vk.close();
    }

    private static List<BigInteger> ints(long... vs) {
        List<BigInteger> out = new ArrayList<>();
        for (long v : vs) {
            out.add(BigInteger.valueOf(v));
        }
        return out;
    }

    @Test
    void provesAndVerifiesWithPlonk() {
        assertThat(Prover.of(ProvingSystem.PLONK)).isSameAs(PLONK);
        assertThat(cs.provingSystem()).isEqualTo(ProvingSystem.PLONK);
        assertThat(cs.publicInputs()).isEqualTo(5);
        assertThat(cs.constraintsByOp().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(cs.constraints());
        assertThat(setup.provingSystem()).isEqualTo(ProvingSystem.PLONK);
        assertThat(setup.trust()).isEqualTo("local-unsafe");
        assertThat(setup.srsSha256()).isNull();
        assertThat(vk.info().trust()).isEqualTo("local-unsafe");
        assertThat(vk.info().kind()).isEqualTo("plonk-verifying-key");
        assertThat(pk.info().circuitSha256()).isEqualTo(cs.circuitSha256());

        for (Golden.Case c : golden.cases().subList(0, 3)) {
            Proof proof = PLONK.prove(cs, pk, c.input());
            assertThat(proof.outputs()).isEqualTo(c.output());
            assertThat(proof.provingSystem()).isEqualTo(ProvingSystem.PLONK);
            assertThat(proof.circuitSha256()).isEqualTo(cs.circuitSha256());
            assertThat(proof.solidityProof()).hasSize(800);
            assertThat(PLONK.verify(vk, proof)).isTrue();
        }
    }

    @Test
    void theSolidityVerifierCrossesJniIntact() {
        // gnark's PLONK template has U+1D53D (a double-struck F) in a comment: outside the Basic
        // Multilingual Plane, it must arrive as one code point, not as garbled modified UTF-8.
        String source = PLONK.exportSolidity(vk);
        assertThat(source).contains("\uD835\uDD3D");
        assertThat(source).doesNotContain("\uFFFD");
        assertThat(source.strip()).endsWith("}");
        assertThat(source).contains("contract PlonkVerifier");
    }

    @Test
    void aChangedPublicInputOrATamperedProofIsFalse() {
        Proof proof = PLONK.prove(cs, pk, ints(-1, 0, 0, 2));
        List<BigInteger> pub = new ArrayList<>(proof.publicInputs().stream().map(BigInteger::new).toList());
        assertThat(PLONK.verify(vk, proof.solidityProof(), pub)).isTrue();
        pub.set(4, BigInteger.TWO);
        assertThat(PLONK.verify(vk, proof.solidityProof(), pub)).isFalse();

        byte[] tampered = proof.solidityProof();
        tampered[12 * 32 + 31] ^= 1; // l(zeta), still a scalar below r
        assertThat(PLONK.verify(vk, tampered, proof.publicInputs().stream().map(BigInteger::new).toList())).isFalse();

        assertThatThrownBy(() -> PLONK.verify(vk, new byte[256], pub))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.MALFORMED_PROOF));
    }

    @Test
    void keysAndProofsAreBoundToTheirCircuitAndSystem() throws Exception {
        // A PLONK key is not a Groth16 key, whichever loader is asked.
        assertThatThrownBy(() -> GROTH16.loadVerifyingKey(vkFile))
                .isInstanceOfSatisfying(NativeProverException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("is a plonk-verifying-key file, expected a groth16-verifying-key file");
                });
        assertThatThrownBy(() -> GROTH16.loadProvingKey(pkFile, null))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        // A key of another circuit.
        String other = "ab".repeat(32);
        assertThatThrownBy(() -> PLONK.loadVerifyingKey(vkFile, other))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.getMessage()).contains("not for circuit " + other));

        // A Groth16 proof of the same circuit is refused by the PLONK key before any native check.
        try (ConstraintSystem gcs = GROTH16.compile(golden.ir())) {
            Path gpk = dir.resolve("g.pk");
            Path gvk = dir.resolve("g.vk");
            GROTH16.setup(gcs, SetupOptions.none(), gpk, gvk);
            try (ProvingKey gp = GROTH16.loadProvingKey(gpk, gcs.circuitSha256());
                 VerifyingKey gv = GROTH16.loadVerifyingKey(gvk, gcs.circuitSha256())) {
                Proof g = GROTH16.prove(gcs, gp, ints(-1, 0, 0, 2));
                assertThat(g.provingSystem()).isEqualTo(ProvingSystem.GROTH16);
                assertThat(GROTH16.verify(gv, g)).isTrue();
                assertThat(gv.info().trust()).isEqualTo("single-party");
                assertThatThrownBy(() -> PLONK.verify(vk, g))
                        .isInstanceOfSatisfying(NativeProverException.class,
                                e -> assertThat(e.getMessage()).contains("the proof is a groth16 proof, the verifying key is a plonk key"));
                // ... and a Groth16 proving key with the PLONK constraint system.
                assertThatThrownBy(() -> PLONK.prove(cs, gp, ints(-1, 0, 0, 2)))
                        .isInstanceOfSatisfying(NativeProverException.class,
                                e -> assertThat(e.getMessage()).contains("the proving key is a groth16 key"));
            }
        }
        // The PLONK constraint system file reloads only as PLONK's.
        Path csFile = dir.resolve("plonk.cs");
        cs.writeTo(csFile);
        assertThatThrownBy(() -> GROTH16.loadConstraintSystem(golden.ir(), csFile))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.getMessage()).contains("is a scs file, expected a r1cs file"));
        try (ConstraintSystem again = PLONK.loadConstraintSystem(golden.ir(), csFile)) {
            assertThat(again.constraints()).isEqualTo(cs.constraints());
        }
    }

    @Test
    void aPlonkSetupNeedsAPowersOfTauFileOrExplicitPermission() throws Exception {
        assertThatThrownBy(() -> PLONK.setup(cs, SetupOptions.none(), dir.resolve("a"), dir.resolve("b")))
                .isInstanceOfSatisfying(NativeProverException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("powers-of-tau file");
                });
        Path notPtau = Files.writeString(dir.resolve("not.ptau"), "hello");
        assertThatThrownBy(() -> PLONK.setup(cs, SetupOptions.ptau(notPtau), dir.resolve("a"), dir.resolve("b")))
                .isInstanceOfSatisfying(NativeProverException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(ErrorCode.IO);
                    assertThat(e.getMessage()).contains("is not a valid .ptau file");
                });
        assertThatThrownBy(() -> PLONK.checkPtau(notPtau, 2))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.IO));
        assertThat(dir.resolve("a")).doesNotExist();
    }

    @Test
    void exportsGnarksPlonkVerifier() {
        String sol = PLONK.exportSolidity(vk);
        assertThat(sol).contains("function Verify(bytes calldata proof, uint256[] calldata public_inputs)");
        assertThat(sol).contains("returns(bool success)");
    }
}
