package io.zkml.prover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** End-to-end through JNI: compile, setup, prove, verify, on the golden IR files. */
class Groth16ProverTest {

    private static final Groth16Prover PROVER = Groth16Prover.load();

    @TempDir
    static Path dir;

    /** The worked example of docs/ir-format.md, set up once. */
    private static ConstraintSystem cs;
    private static ProvingKey pk;
    private static VerifyingKey vk;
    private static SetupResult setup;
    private static Path pkFile;
    private static Path vkFile;

    @BeforeAll
    static void setUpClassifier() {
        cs = PROVER.compile(Golden.named("classifier-3x4.ir.json").ir());
        pkFile = dir.resolve("classifier.pk");
        vkFile = dir.resolve("classifier.vk");
        setup = PROVER.setup(cs, pkFile, vkFile);
        pk = PROVER.loadProvingKey(pkFile);
        vk = PROVER.loadVerifyingKey(vkFile);
    }

    @AfterAll
    static void close() {
        cs.close();
        pk.close();
        vk.close();
    }

    static List<Golden> goldens() {
        return Golden.all();
    }

    private static List<BigInteger> ints(long... vs) {
        List<BigInteger> out = new ArrayList<>();
        for (long v : vs) {
            out.add(BigInteger.valueOf(v));
        }
        return out;
    }

    private static List<BigInteger> fieldElements(List<String> decimals) {
        return decimals.stream().map(BigInteger::new).toList();
    }

    @Test
    void reportsTheVersionsOfTheNativeLibrary() {
        NativeVersions v = PROVER.versions();
        assertThat(v.abiVersion()).isEqualTo(NativeLibrary.ABI_VERSION);
        assertThat(v.gnarkVersion()).isEqualTo("v0.16.3");
        assertThat(v.goVersion()).startsWith("go1.");
        assertThat(v.curve()).isEqualTo("bn254");
        assertThat(Groth16Prover.load()).isSameAs(PROVER);
    }

    @Test
    void constraintsByOpCountsEachKindInOrder(@TempDir Path tmp) {
        // classifier-3x4: 4 inputs with 2·(11+11+10+8) booleans and 8 recompositions; dense is
        // free; argmax over 3 values: 3 + 1 + 3 + 3·(13 + 1); one output equality.
        try (ConstraintSystem c = PROVER.compile(Golden.named("classifier-3x4.ir.json").ir())) {
            assertThat(c.constraintsByOp()).containsExactly(
                    java.util.Map.entry("input_range", 88), java.util.Map.entry("dense", 0),
                    java.util.Map.entry("argmax", 49), java.util.Map.entry("output", 1));
            assertThat(c.constraintsByOp().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(c.constraints());
            assertThatThrownBy(() -> c.constraintsByOp().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
            c.writeTo(tmp.resolve("cs"));
            try (ConstraintSystem loaded = PROVER.loadConstraintSystem(Golden.named("classifier-3x4.ir.json").ir(), tmp.resolve("cs"))) {
                assertThat(loaded.constraintsByOp()).containsExactlyEntriesOf(c.constraintsByOp());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("goldens")
    void provesAndVerifiesGoldenCases(Golden g, @TempDir Path tmp) {
        try (ConstraintSystem c = PROVER.compile(g.ir())) {
            assertThat(c.publicInputs()).isEqualTo(c.inputSize() + c.outputSize());
            assertThat(c.inputSize()).isEqualTo(g.cases().get(0).input().size());
            assertThat(c.constraints()).isPositive();
            SetupResult s = PROVER.setup(c, tmp.resolve("pk"), tmp.resolve("vk"));
            assertThat(s.verifyingKeySha256()).matches("[0-9a-f]{64}");
            try (ProvingKey p = PROVER.loadProvingKey(tmp.resolve("pk"));
                 VerifyingKey v = PROVER.loadVerifyingKey(tmp.resolve("vk"))) {
                for (Golden.Case gc : g.cases().subList(0, 3)) {
                    Proof proof = PROVER.prove(c, p, gc.input());
                    assertThat(proof.outputs()).isEqualTo(gc.output());
                    assertThat(proof.publicInputs()).hasSize(c.publicInputs());
                    assertThat(PROVER.verify(v, proof.solidityProof(), fieldElements(proof.publicInputs()))).isTrue();
                }
                for (Golden.Invalid bad : g.invalid()) {
                    ErrorCode want = switch (bad.error()) {
                        case "input_out_of_range" -> ErrorCode.UNSATISFIED;
                        case "wrong_input_count" -> ErrorCode.INVALID_ARGUMENT;
                        default -> throw new AssertionError("unknown error kind " + bad.error());
                    };
                    assertThatThrownBy(() -> PROVER.prove(c, p, bad.input()))
                            .isInstanceOfSatisfying(NativeProverException.class,
                                    e -> assertThat(e.errorCode()).isEqualTo(want));
                }
            }
        }
    }

    @Test
    void provesTheWorkedExample() {
        Proof proof = PROVER.prove(cs, pk, ints(-1, 0, 0, 2));
        assertThat(proof.outputs()).containsExactly(BigInteger.ONE);
        assertThat(proof.publicInputs()).containsExactly(
                "21888242871839275222246405745257275088548364400416034343698204186575808495616", "0", "0", "2", "1");
        assertThat(proof.solidityProof()).hasSize(256);
        assertThat(proof.proofHex()).isEqualTo("0x" + HexFormat.of().formatHex(proof.solidityProof()));
        assertThat(proof.witnessMillis()).isNotNegative();
        assertThat(proof.proveMillis()).isNotNegative();
        assertThat(PROVER.verify(vk, proof.solidityProof(), fieldElements(proof.publicInputs()))).isTrue();
        assertThat(Bn254.toField(BigInteger.valueOf(-1)).toString()).isEqualTo(proof.publicInputs().get(0));
        assertThat(Bn254.toSigned(new BigInteger(proof.publicInputs().get(0)))).isEqualTo(BigInteger.valueOf(-1));
    }

    @Test
    void calldataTargetsVerifyProofOfTheExportedVerifier() {
        Proof proof = PROVER.prove(cs, pk, ints(29, 39, 745, 47));
        byte[] calldata = HexFormat.of().parseHex(proof.calldataHex().substring(2));
        // keccak256("verifyProof(bytes,uint256[5])")[0:4], checked in the Go tests against the
        // exported contract; here: the layout around it.
        assertThat(calldata).hasSize(4 + 32 * 6 + 32 + 256);
        assertThat(new BigInteger(1, java.util.Arrays.copyOfRange(calldata, 4, 36))).isEqualTo(BigInteger.valueOf(192));
        assertThat(java.util.Arrays.copyOfRange(calldata, 228, 484)).isEqualTo(proof.solidityProof());
        String sol = PROVER.exportSolidity(vk);
        assertThat(sol).contains("function verifyProof(", "bytes calldata proof", "uint256[5] calldata input");
    }

    @Test
    void rejectsAChangedPublicInput() {
        Proof proof = PROVER.prove(cs, pk, ints(-1, 0, 0, 2));
        List<BigInteger> pub = new ArrayList<>(fieldElements(proof.publicInputs()));
        pub.set(4, BigInteger.TWO); // claim label 2, the later index of the tie
        assertThat(PROVER.verify(vk, proof.solidityProof(), pub)).isFalse();
        for (int i = 0; i < 4; i++) {
            List<BigInteger> changed = new ArrayList<>(fieldElements(proof.publicInputs()));
            changed.set(i, changed.get(i).add(BigInteger.ONE).mod(Bn254.R));
            assertThat(PROVER.verify(vk, proof.solidityProof(), changed)).as("input %d changed", i).isFalse();
        }
    }

    @Test
    void rejectsATamperedProof() {
        Proof proof = PROVER.prove(cs, pk, ints(10, 15, 0, 0));
        List<BigInteger> pub = fieldElements(proof.publicInputs());
        for (int i = 0; i < 256; i += 5) {
            byte[] bad = proof.solidityProof();
            bad[i] ^= 0x01;
            try {
                assertThat(PROVER.verify(vk, bad, pub)).as("byte %d flipped", i).isFalse();
            } catch (NativeProverException e) {
                assertThat(e.errorCode()).isEqualTo(ErrorCode.MALFORMED_PROOF);
            }
        }
        assertThatThrownBy(() -> PROVER.verify(vk, new byte[255], pub))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.MALFORMED_PROOF))
                .hasMessageContaining("256 bytes");
        List<BigInteger> notInField = new ArrayList<>(pub);
        notInField.set(0, Bn254.R);
        assertThatThrownBy(() -> PROVER.verify(vk, proof.solidityProof(), notInField))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.MALFORMED_PROOF));
        assertThatThrownBy(() -> PROVER.verify(vk, proof.solidityProof(), pub.subList(0, 3)))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }

    @Test
    void rejectsInputsOutOfRangeWithAClearMessage() {
        assertThatThrownBy(() -> PROVER.prove(cs, pk, ints(513, 0, 0, 0)))
                .isInstanceOfSatisfying(NativeProverException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(ErrorCode.UNSATISFIED);
                    assertThat(e.code()).isEqualTo(3);
                })
                .hasMessageContaining("input 0 = 513 is out of its range [-512, 512]");
        assertThatThrownBy(() -> PROVER.prove(cs, pk, ints(0, 0, 0)))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("takes 4 inputs, got 3");
    }

    @Test
    void rejectsInvalidIr() {
        for (String bad : List.of("garbage", "{}", "{\"format\":\"zkml-ir\",\"version\":3}", "[1,2]")) {
            assertThatThrownBy(() -> PROVER.compile(bad.getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOfSatisfying(NativeProverException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_IR));
        }
        assertThatThrownBy(() -> PROVER.compile("{\"format\":\"zkml-ir\",\"version\":3}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("unsupported IR version 3");
        assertThatThrownBy(() -> PROVER.compile(new byte[0]))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        // Non-ASCII in a message crosses JNI intact (escaped), never as broken UTF-8.
        assertThatThrownBy(() -> PROVER.compile("{\"format\":\"zk\u00e9\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_IR))
                .hasMessageContaining("\\u00e9");
    }

    @Test
    void closedHandlesThrowUnknownHandleNeverCrash(@TempDir Path tmp) {
        ConstraintSystem c = PROVER.compile(Golden.named("regressor-2x3.ir.json").ir());
        c.close();
        c.close(); // idempotent
        assertThat(c.isClosed()).isTrue();
        assertThatThrownBy(() -> c.writeTo(tmp.resolve("cs")))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNKNOWN_HANDLE));
        assertThatThrownBy(() -> PROVER.prove(c, pk, ints(0, 0, 0)))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNKNOWN_HANDLE));
        VerifyingKey v = PROVER.loadVerifyingKey(vkFile);
        v.close();
        assertThatThrownBy(() -> PROVER.exportSolidity(v))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNKNOWN_HANDLE));
    }

    @Test
    void nativeSideRejectsStaleAndForgedHandles() {
        ConstraintSystem c = PROVER.compile(Golden.named("regressor-2x3.ir.json").ir());
        long raw = c.handle();
        c.close();
        for (long h : new long[] {raw, 0L, -1L, 1L << 50}) {
            assertThatThrownBy(() -> NativeBridge.constraintSystemInfo(h))
                    .isInstanceOfSatisfying(NativeProverException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNKNOWN_HANDLE));
            assertThatThrownBy(() -> NativeBridge.free(h))
                    .isInstanceOfSatisfying(NativeProverException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNKNOWN_HANDLE));
        }
        // A proving-key handle where a constraint system is expected.
        assertThatThrownBy(() -> NativeBridge.prove(pk.handle(), cs.handle(), "[\"0\",\"0\",\"0\",\"0\"]"))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNKNOWN_HANDLE))
                .hasMessageContaining("not a constraint system");
        assertThatThrownBy(() -> NativeBridge.prove(cs.handle(), pk.handle(), "not json"))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> NativeBridge.prove(cs.handle(), pk.handle(), null))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }

    @Test
    void constraintSystemFilesRoundTrip(@TempDir Path tmp) {
        Path file = tmp.resolve("classifier.cs");
        cs.writeTo(file);
        byte[] ir = Golden.named("classifier-3x4.ir.json").ir();
        try (ConstraintSystem loaded = PROVER.loadConstraintSystem(ir, file)) {
            assertThat(loaded.constraints()).isEqualTo(cs.constraints());
            assertThat(loaded.circuitSha256()).isEqualTo(cs.circuitSha256()).matches("[0-9a-f]{64}");
            Proof proof = PROVER.prove(loaded, pk, ints(1, 1, 2, 0));
            assertThat(PROVER.verify(vk, proof.solidityProof(), fieldElements(proof.publicInputs()))).isTrue();
        }
        assertThatThrownBy(() -> PROVER.loadConstraintSystem(Golden.named("regressor-2x3.ir.json").ir(), file))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }

    @Test
    void pathsCrossJniExactly(@TempDir Path tmp) throws Exception {
        // Non-ASCII in the Basic Multilingual Plane: the native side opens the same file.
        Path accented = tmp.resolve("cl\u00e9-\u4e2d.cs");
        cs.writeTo(accented);
        assertThat(accented).isRegularFile();
        try (ConstraintSystem loaded = PROVER.loadConstraintSystem(Golden.named("classifier-3x4.ir.json").ir(), accented)) {
            assertThat(loaded.circuitSha256()).isEqualTo(cs.circuitSha256());
        }
        // Outside it, JNI's modified UTF-8 would name another file: refused before any native call.
        Path emoji = tmp.resolve("key-\uD83D\uDE00.vk");
        assertThatThrownBy(() -> PROVER.setup(cs, tmp.resolve("pk"), emoji))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("Basic Multilingual Plane");
        assertThat(tmp.resolve("pk")).doesNotExist();
        assertThatThrownBy(() -> cs.writeTo(emoji))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        try (var files = Files.list(tmp)) {
            assertThat(files.toList()).as("files written").containsExactly(accented);
        }
    }

    @Test
    void artifactsOfAnotherVersionAreRejected(@TempDir Path tmp) throws Exception {
        byte[] vkBytes = Files.readAllBytes(vkFile);
        assertThat(NativeLibrary.sha256(vkBytes)).isEqualTo(setup.verifyingKeySha256());
        String text = new String(vkBytes, StandardCharsets.ISO_8859_1);
        assertThat(text).startsWith("ZKMLART1").contains("\"gnark\":\"v0.16.3\"");
        Path old = tmp.resolve("old.vk");
        Files.write(old, text.replace("\"gnark\":\"v0.16.3\"", "\"gnark\":\"v0.15.0\"").getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> PROVER.loadVerifyingKey(old))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.VERSION_MISMATCH))
                .hasMessageContaining("gnark v0.15.0");
        Path notArtifact = tmp.resolve("junk");
        Files.writeString(notArtifact, "not a key");
        assertThatThrownBy(() -> PROVER.loadProvingKey(notArtifact))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.IO));
        assertThatThrownBy(() -> PROVER.loadProvingKey(vkFile))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> PROVER.loadProvingKey(tmp.resolve("missing")))
                .isInstanceOfSatisfying(NativeProverException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.IO));
    }

    @Test
    void provesInParallelWithSharedHandles() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                long x = i * 50 - 200;
                results.add(pool.submit(() -> {
                    Proof p = PROVER.prove(cs, pk, ints(x, -x, 7, 1));
                    return PROVER.verify(vk, p.solidityProof(), fieldElements(p.publicInputs()));
                }));
            }
            for (Future<Boolean> r : results) {
                assertThat(r.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void errorCodesRoundTrip() {
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(ErrorCode.of(c.code())).isEqualTo(c);
        }
        assertThat(ErrorCode.of(12345)).isEqualTo(ErrorCode.INTERNAL);
        assertThat(ErrorCode.MALFORMED_PROOF.code()).isEqualTo(4);
        assertThat(ErrorCode.INTERNAL.code()).isEqualTo(99);
    }

    @Test
    void verifyingKeyJsonAndTheSnarkjsDocuments() {
        String json = PROVER.verifyingKeyJson(vk);
        assertThat(json).contains("\"protocol\":\"groth16\"", "\"curve\":\"bn254\"", "\"publicInputs\":5",
                "\"commitments\":0", "\"circuitSha256\":\"" + cs.circuitSha256() + "\"", "\"beta2\":{\"x\":{\"a0\":");
        Proof proof = PROVER.prove(cs, pk, List.of(BigInteger.valueOf(-1), BigInteger.ZERO, BigInteger.ZERO, BigInteger.TWO));
        SnarkjsExport.Files files = SnarkjsExport.export(PROVER, vk, proof);
        assertThat(files.verificationKey()).contains("\"nPublic\" : 5", "\"curve\" : \"bn128\"", "\"IC\"");
        assertThat(files.proof()).contains("\"pi_a\"", "\"pi_b\"", "\"pi_c\"");
        assertThat(files.publicSignals().replaceAll("\\s", "")).isEqualTo("[\"" + String.join("\",\"", proof.publicInputs()) + "\"]");
        assertThatThrownBy(() -> SnarkjsExport.export(PROVER, vk, proof.solidityProof(), proof.publicInputs().subList(0, 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("takes 5 public inputs");
    }
}
