package io.zkml.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.zkml.prover.Bn254;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.Proof;
import io.zkml.prover.SnarkjsExport;
import io.zkml.prover.SnarkjsUnsupportedException;
import io.zkml.prover.VerifyingKey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * gnark's Groth16 proofs checked by the real snarkjs (npm, pinned 0.7.6): {@link SnarkjsExport}
 * writes verification_key.json, proof.json and public.json and {@code node
 * node_modules/snarkjs/cli.js groth16 verify} accepts a real proof and rejects a tampered one
 * (a proof coordinate changed, the A0/A1 halves of a G2 coordinate swapped, a public input or the
 * claimed output changed).
 */
@EvmTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SnarkjsVerifyTest {

    private static final JsonMapper JSON = DemoProofs.JSON;

    @TempDir
    Path dir;

    private Groth16Prover prover;
    private SnarkjsCli snarkjs;

    @BeforeAll
    void locate() {
        prover = Groth16Prover.load();
        snarkjs = SnarkjsCli.locate();
        assertThat(snarkjs.version()).isEqualTo(SnarkjsExport.SNARKJS_VERSION);
    }

    private record Exported(Path dir, SnarkjsExport.Files files, Proof proof) {
        Path vk() {
            return dir.resolve(SnarkjsExport.Files.VERIFICATION_KEY);
        }

        Path publicSignals() {
            return dir.resolve(SnarkjsExport.Files.PUBLIC);
        }

        Path proofFile() {
            return dir.resolve(SnarkjsExport.Files.PROOF);
        }
    }

    private Exported export(String example) throws IOException {
        Path out = dir.resolve(example);
        Proof proof = DemoProofs.prove(prover, example, out);
        JsonNode c = DemoProofs.firstCase(example);
        assertThat(proof.outputs().toString()).isEqualTo(c.get("output").toString().replace("\"", "").replace(",", ", "));
        try (VerifyingKey vk = prover.loadVerifyingKey(out.resolve("vk.bin"))) {
            SnarkjsExport.Files files = SnarkjsExport.export(prover, vk, proof);
            files.writeTo(out);
            return new Exported(out, files, proof);
        }
    }

    private SnarkjsCli.Outcome verify(Exported e, Path vk, Path pub, Path proof) {
        return snarkjs.groth16Verify(vk, pub, proof);
    }

    @ParameterizedTest
    @ValueSource(strings = {"credit-risk", "credit-forest"})
    void snarkjsAcceptsTheRealProofAndRejectsTamperedOnes(String example) throws IOException {
        Exported e = export(example);
        JsonNode vk = JSON.readTree(e.files().verificationKey());
        assertThat(vk.get("protocol").asString()).isEqualTo("groth16");
        assertThat(vk.get("curve").asString()).isEqualTo("bn128");
        assertThat(vk.get("nPublic").asInt()).isEqualTo(e.proof().publicInputs().size());
        assertThat(vk.get("IC").size()).isEqualTo(e.proof().publicInputs().size() + 1);

        SnarkjsCli.Outcome ok = verify(e, e.vk(), e.publicSignals(), e.proofFile());
        assertThat(ok.valid()).as("snarkjs on the real proof: %s", ok.output()).isTrue();
        assertThat(ok.exitCode()).isZero();
        System.out.printf("[snarkjs] %s: real proof -> exit %d, %s%n", example, ok.exitCode(), ok.output().strip());

        // One proof coordinate changed (pi_a.x + 1): not on the curve any more, or a different point.
        ObjectNode proof = (ObjectNode) JSON.readTree(e.files().proof());
        ArrayNode a = (ArrayNode) proof.get("pi_a");
        a.set(0, new BigInteger(a.get(0).asString()).add(BigInteger.ONE).toString());
        assertRejected(e, e.vk(), e.publicSignals(), write(e, "proof-a.json", proof), "pi_a.x + 1", NOT_ON_CURVE);

        // pi_c replaced by pi_a: valid curve points, wrong proof.
        proof = (ObjectNode) JSON.readTree(e.files().proof());
        proof.set("pi_c", proof.get("pi_a").deepCopy());
        assertRejected(e, e.vk(), e.publicSignals(), write(e, "proof-c.json", proof), "pi_c = pi_a", INVALID);

        // The halves of B.x swapped: the A0/A1 order matters (the other order is rejected).
        proof = (ObjectNode) JSON.readTree(e.files().proof());
        ArrayNode bx = (ArrayNode) proof.get("pi_b").get(0);
        JsonNode x0 = bx.get(0);
        bx.set(0, bx.get(1));
        bx.set(1, x0);
        assertRejected(e, e.vk(), e.publicSignals(), write(e, "proof-b.json", proof), "B.x halves swapped", NOT_ON_CURVE);

        // The key's gamma halves swapped: same, in the key.
        ObjectNode key = (ObjectNode) JSON.readTree(e.files().verificationKey());
        ArrayNode gx = (ArrayNode) key.get("vk_gamma_2").get(0);
        JsonNode g0 = gx.get(0);
        gx.set(0, gx.get(1));
        gx.set(1, g0);
        assertRejected(e, write(e, "vk-gamma.json", key), e.publicSignals(), e.proofFile(), "gamma.x halves swapped", INVALID);

        // A changed public input (the first input + 1) and a changed claimed output.
        List<String> pub = new ArrayList<>(e.proof().publicInputs());
        pub.set(0, Bn254.toField(Bn254.toSigned(new BigInteger(pub.get(0))).add(BigInteger.ONE)).toString());
        assertRejected(e, e.vk(), writeString(e, "public-in.json", SnarkjsExport.publicSignals(pub)), e.proofFile(), "input 0 + 1", INVALID);
        pub = new ArrayList<>(e.proof().publicInputs());
        int last = pub.size() - 1;
        pub.set(last, Bn254.toField(Bn254.toSigned(new BigInteger(pub.get(last))).add(BigInteger.ONE)).toString());
        assertRejected(e, e.vk(), writeString(e, "public-out.json", SnarkjsExport.publicSignals(pub)), e.proofFile(), "output + 1", INVALID);
    }

    /** What snarkjs 0.7.6 logs when the pairing check fails. */
    private static final String INVALID = "Invalid proof";
    /** What it logs when a proof point is not on its curve (checked before the pairing). */
    private static final String NOT_ON_CURVE = "Proof commitments are not valid";

    /**
     * snarkjs rejected the files for {@code reason}: a nonzero exit alone is also what an unreadable
     * file (a broken tamper) or a crash gives.
     */
    private void assertRejected(Exported e, Path vk, Path pub, Path proof, String what, String reason) {
        SnarkjsCli.Outcome o = verify(e, vk, pub, proof);
        assertThat(o.valid()).as("%s: snarkjs said %s", what, o.output()).isFalse();
        assertThat(o.exitCode()).as("%s: exit status (output %s)", what, o.output()).isNotZero();
        assertThat(o.output()).as("%s: the reason snarkjs gave", what).contains(reason);
        System.out.printf("[snarkjs] %s -> exit %d, %s%n", what, o.exitCode(), o.output().strip());
    }

    private static Path write(Exported e, String name, JsonNode n) throws IOException {
        return writeString(e, name, JSON.writeValueAsString(n));
    }

    private static Path writeString(Exported e, String name, String s) throws IOException {
        Path p = e.dir().resolve(name);
        Files.writeString(p, s);
        return p;
    }

    @Test
    void aKeyWithCommitmentsIsRefusedWithoutWritingAnything() {
        String points = "{\"curve\":\"bn254\",\"protocol\":\"groth16\",\"publicInputs\":1,\"commitments\":1,"
                + "\"alpha1\":{\"x\":\"1\",\"y\":\"2\"},\"k\":[]}";
        assertThatThrownBy(() -> SnarkjsExport.verificationKey(points))
                .isInstanceOf(SnarkjsUnsupportedException.class)
                .hasMessageContaining("1 Pedersen commitment(s)")
                .hasMessageContaining("snarkjs cannot check");
        assertThatThrownBy(() -> SnarkjsExport.verificationKey(points.replace("groth16", "plonk")))
                .isInstanceOf(SnarkjsUnsupportedException.class)
                .hasMessageContaining("Groth16 over BN254 only");
    }

    @Test
    void malformedProofBytesAndPublicInputsAreRefused() {
        assertThatThrownBy(() -> SnarkjsExport.proof(new byte[255])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("256 bytes");
        byte[] big = new byte[256];
        java.util.Arrays.fill(big, 0, 32, (byte) 0xff);
        assertThatThrownBy(() -> SnarkjsExport.proof(big)).hasMessageContaining("proof word 0");
        assertThatThrownBy(() -> SnarkjsExport.publicSignals(List.of("-1"))).hasMessageContaining("public input 0");
        assertThatThrownBy(() -> SnarkjsExport.publicSignals(List.of(Bn254.R.toString()))).hasMessageContaining("[0, r)");
        assertThatThrownBy(() -> SnarkjsExport.publicSignals(List.of("007"))).hasMessageContaining("canonical");
        // (0, 0), gnark's point at infinity, is snarkjs's projective zero.
        JsonNode zero = JSON.readTree(SnarkjsExport.proof(new byte[256]));
        assertThat(zero.get("pi_a").toString()).isEqualTo("[\"0\",\"1\",\"0\"]");
        assertThat(zero.get("pi_b").toString()).isEqualTo("[[\"0\",\"0\"],[\"1\",\"0\"],[\"0\",\"0\"]]");
    }
}
