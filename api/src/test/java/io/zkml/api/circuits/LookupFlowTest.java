package io.zkml.api.circuits;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zkml.api.testing.Http;
import io.zkml.api.testing.TestModels;
import io.zkml.api.testing.TestPostgres;

/**
 * Range checks by lookup through the REST API (issue 7): the credit-risk demo compiled with
 * {@code "rangeCheck": "lookup"} (Groth16, single-party) is ready with fewer constraints than the
 * bits circuit and another circuit hash, its IR says {@code "range_check": "lookup"}, the circuit
 * shows {@code rangeCheck}; an inference is proved (384-byte proof: the 8 words, the BSB22
 * commitment and its proof of knowledge); {@code /v1/verifications} says true for it and false for a
 * tampered proof and a changed output; the snarkjs key is refused (422 unsupported-range-check);
 * PLONK with lookup (local SRS) proves an 896-byte proof that verifies and a tampered commitment that
 * does not; a batch circuit with lookup proves 2 rows in one 384-byte proof that verifies; an unknown
 * value is refused before anything is stored; the idempotency fingerprint tells bits from lookup.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LookupFlowTest {

    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final BigInteger R = new BigInteger(
            "21888242871839275222246405745257275088548364400416034343698204186575808495617");
    private static final Path DEMO = TestModels.repositoryRoot().resolve("examples/credit-risk");
    private static final List<Double> INPUT = List.of(12.5, 0.35, 85.0, 1.0, 25.0);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
    }

    @LocalServerPort
    int port;

    Http http;
    String modelId;
    String circuitId;
    JsonNode circuit;
    JsonNode bitsCircuit;

    @BeforeAll
    void compile() throws Exception {
        http = new Http(port);
        Http.Response upload = http.postMultipart("/v1/models", Http.parts("file", Files.readAllBytes(DEMO.resolve("model.tribuo")),
                "format", "tribuo", "name", "credit-risk"));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        modelId = upload.text("id");
        Http.Response created = http.postJson("/v1/models/" + modelId + "/circuits", body(null, "lookup"));
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        assertThat(created.text("rangeCheck")).isEqualTo("lookup");
        circuitId = created.text("id");
        Http.Response bits = http.postJson("/v1/models/" + modelId + "/circuits", body(null, null));
        assertThat(bits.status()).as(bits.toString()).isEqualTo(202);
        assertThat(bits.text("rangeCheck")).isEqualTo("bits");
        circuit = http.awaitStatus("/v1/circuits/" + circuitId, Set.of("ready", "failed"), DEADLINE);
        assertThat(circuit.get("status").asString()).as(circuit.toString()).isEqualTo("ready");
        bitsCircuit = http.awaitStatus("/v1/circuits/" + bits.text("id"), Set.of("ready", "failed"), DEADLINE);
        assertThat(bitsCircuit.get("status").asString()).as(bitsCircuit.toString()).isEqualTo("ready");
    }

    private Map<String, Object> body(String provingSystem, String rangeCheck) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        if (provingSystem != null) {
            body.put("provingSystem", provingSystem);
        }
        if ("plonk".equals(provingSystem)) {
            body.put("setup", Map.of("trust", "local-unsafe")); // development mode, no .ptau file in this test
        }
        if (rangeCheck != null) {
            body.put("rangeCheck", rangeCheck);
        }
        body.put("quantization", Http.json().readTree(DEMO.resolve("quantization.json").toFile()));
        return body;
    }

    @Test
    void theCircuitSaysLookupAndItsIrToo() {
        assertThat(circuit.get("rangeCheck").asString()).isEqualTo("lookup");
        assertThat(circuit.get("provingSystem").asString()).isEqualTo("groth16");
        assertThat(circuit.get("setup").get("trust").asString()).isEqualTo("single-party");
        assertThat(bitsCircuit.get("rangeCheck").asString()).isEqualTo("bits");
        assertThat(circuit.get("circuitHash").asString()).isNotEqualTo(bitsCircuit.get("circuitHash").asString());
        assertThat(circuit.get("constraints").asInt()).isLessThan(bitsCircuit.get("constraints").asInt());
        assertThat(circuit.get("constraintsByOp").has("range_lookup")).as(circuit.toString()).isTrue();

        Http.Response ir = http.get("/v1/circuits/" + circuitId + "/ir");
        assertThat(ir.status()).isEqualTo(200);
        assertThat(ir.text("range_check")).isEqualTo("lookup");
        Http.Response sol = http.get("/v1/circuits/" + circuitId + "/verifier.sol", "text/plain");
        assertThat(sol.body()).contains("CommitmentInvalid").contains("require(proof.length == 384");

        Http.Response snarkjs = http.get("/v1/circuits/" + circuitId + "/verification_key.json");
        assertThat(snarkjs.status()).as(snarkjs.toString()).isEqualTo(422);
        assertThat(snarkjs.text("type")).isEqualTo("urn:zkml:problem:unsupported-range-check");
        assertThat(snarkjs.text("detail")).contains("snarkjs");
    }

    @Test
    void aLookupProofVerifiesAndATamperedOneDoesNot() {
        Http.Response r = http.postJson("/v1/circuits/" + circuitId + "/inferences", Map.of("input", INPUT));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        JsonNode inf = http.awaitStatus("/v1/inferences/" + r.text("id"), Set.of("succeeded", "failed"), DEADLINE);
        assertThat(inf.get("status").asString()).as(inf.toString()).isEqualTo("succeeded");
        String proof = inf.get("proof").asString();
        assertThat((proof.length() - 2) / 2).isEqualTo(384);
        List<String> pub = strings(inf.get("publicInputs"));
        // verifyProof(bytes,uint256[n]): selector, offset, n inputs, length, the 384-byte proof
        assertThat(inf.get("calldata").asString()).hasSize(2 + 2 * (4 + 32 * (pub.size() + 2) + 384));
        assertThat(verify(proof, pub)).isTrue();

        List<String> changed = new ArrayList<>(pub);
        int last = changed.size() - 1;
        changed.set(last, new BigInteger(changed.get(last)).add(BigInteger.ONE).mod(R).toString());
        assertThat(verify(proof, changed)).as("a changed output").isFalse();

        // a byte of C, of the commitment, of its proof of knowledge: false or malformed, never true
        for (int at : new int[]{255, 256 + 31, 383}) {
            byte[] b = HexFormat.of().parseHex(proof.substring(2));
            b[at] ^= 1;
            Http.Response v = http.postJson("/v1/verifications", Map.of("circuitId", circuitId,
                    "proof", "0x" + HexFormat.of().formatHex(b), "publicInputs", pub));
            if (v.status() == 200) {
                assertThat(v.json().get("valid").asBoolean()).as("byte %d changed", at).isFalse();
            } else {
                assertThat(v.status()).as(v.toString()).isEqualTo(400);
                assertThat(v.text("type")).isEqualTo("urn:zkml:problem:malformed-proof");
            }
        }
        Http.Response bitsSized = http.postJson("/v1/verifications", Map.of("circuitId", circuitId,
                "proof", proof.substring(0, 2 + 2 * 256), "publicInputs", pub));
        assertThat(bitsSized.status()).as(bitsSized.toString()).isEqualTo(400);
        assertThat(bitsSized.text("detail")).contains("384 bytes");
    }

    @Test
    void plonkWithLookupProvesAndVerifies() throws Exception {
        Http.Response plonk = http.postJson("/v1/models/" + modelId + "/circuits", body("plonk", "lookup"));
        assertThat(plonk.status()).as(plonk.toString()).isEqualTo(202);
        assertThat(plonk.text("rangeCheck")).isEqualTo("lookup");
        String id = plonk.text("id");
        JsonNode c = http.awaitStatus("/v1/circuits/" + id, Set.of("ready", "failed"), DEADLINE);
        assertThat(c.get("status").asString()).as(c.toString()).isEqualTo("ready");
        assertThat(c.get("constraintsByOp").has("range_lookup")).isTrue();
        Http.Response r = http.postJson("/v1/circuits/" + id + "/inferences", Map.of("input", INPUT));
        JsonNode inf = http.awaitStatus("/v1/inferences/" + r.text("id"), Set.of("succeeded", "failed"), DEADLINE);
        assertThat(inf.get("status").asString()).as(inf.toString()).isEqualTo("succeeded");
        String proof = inf.get("proof").asString();
        assertThat((proof.length() - 2) / 2).isEqualTo(896);
        List<String> pub = strings(inf.get("publicInputs"));
        Http.Response ok = http.postJson("/v1/verifications", Map.of("circuitId", id, "proof", proof, "publicInputs", pub));
        assertThat(ok.json().get("valid").asBoolean()).as(ok.toString()).isTrue();
        byte[] b = HexFormat.of().parseHex(proof.substring(2));
        b[25 * 32 + 31] ^= 1; // the BSB22 commitment's x
        Http.Response bad = http.postJson("/v1/verifications", Map.of("circuitId", id, "proof", "0x" + HexFormat.of().formatHex(b),
                "publicInputs", pub));
        assertThat(bad.status() == 400 || !bad.json().get("valid").asBoolean()).as(bad.toString()).isTrue();
    }

    @Test
    void aBatchOfLookupRowsIsOneProofThatVerifies() throws Exception {
        Map<String, Object> req = body(null, "lookup");
        req.put("batchSize", 2);
        Http.Response created = http.postJson("/v1/models/" + modelId + "/circuits", req);
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        String id = created.text("id");
        JsonNode c = http.awaitStatus("/v1/circuits/" + id, Set.of("ready", "failed"), DEADLINE);
        assertThat(c.get("status").asString()).as(c.toString()).isEqualTo("ready");
        assertThat(c.get("rangeCheck").asString()).isEqualTo("lookup");
        assertThat(c.get("batchSize").asInt()).isEqualTo(2);
        assertThat(http.get("/v1/circuits/" + id + "/ir").text("range_check")).isEqualTo("lookup");
        Http.Response r = http.postJson("/v1/circuits/" + id + "/batches", Map.of("inputs", List.of(INPUT, INPUT)));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        JsonNode b = http.awaitStatus("/v1/batches/" + r.text("id"), Set.of("succeeded", "failed"), DEADLINE);
        assertThat(b.get("status").asString()).as(b.toString()).isEqualTo("succeeded");
        String proof = b.get("proof").asString();
        assertThat((proof.length() - 2) / 2).isEqualTo(384);
        Http.Response ok = http.postJson("/v1/verifications", Map.of("circuitId", id, "proof", proof,
                "publicInputs", strings(b.get("publicInputs"))));
        assertThat(ok.json().get("valid").asBoolean()).as(ok.toString()).isTrue();
    }

    @Test
    void lookupThisServiceCannotRunIsRefusedAndTheFingerprintTellsThemApart() throws Exception {

        Http.Response unknown = http.postJson("/v1/models/" + modelId + "/circuits", body(null, "table"));
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(400);
        assertThat(unknown.text("type")).isEqualTo("urn:zkml:problem:invalid-request");

        String key = "lookup-fingerprint-" + System.nanoTime();
        Http.Response first = http.postJson("/v1/models/" + modelId + "/circuits", body(null, "lookup"), key);
        assertThat(first.status()).as(first.toString()).isEqualTo(202);
        Http.Response again = http.postJson("/v1/models/" + modelId + "/circuits", body(null, "lookup"), key);
        assertThat(again.text("id")).isEqualTo(first.text("id"));
        Http.Response other = http.postJson("/v1/models/" + modelId + "/circuits", body(null, null), key);
        assertThat(other.status()).as("same key, bits instead of lookup: %s", other).isEqualTo(422);
    }

    private boolean verify(String proof, List<String> publicInputs) {
        Http.Response r = http.postJson("/v1/verifications", Map.of("circuitId", circuitId, "proof", proof,
                "publicInputs", publicInputs));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("valid").asBoolean();
    }

    private static List<String> strings(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asString()));
        return l;
    }
}
