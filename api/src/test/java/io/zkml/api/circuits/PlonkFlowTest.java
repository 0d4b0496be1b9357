package io.zkml.api.circuits;

import io.zkml.api.testing.TestModels;
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
import io.zkml.api.testing.TestPostgres;
import io.zkml.contracts.SnarkjsCli;

/**
 * PLONK through the REST API (issue 7), with {@code zkml.setup.ptau-path} set to a powers-of-tau
 * file that the pinned snarkjs makes (power 10, one contribution; seconds): the credit-risk demo (a
 * linear model) compiled with {@code "provingSystem": "plonk"} and no setup, so on the universal SRS;
 * GET shows the system, the trust and the file's SHA-256; an inference is proved with PLONK
 * (800-byte proof, {@code Verify(bytes,uint256[])} calldata); {@code /v1/verifications} says true
 * for it and false for a tampered proof and a changed public input; the verifier export is gnark's
 * PLONK verifier; the snarkjs key is refused; setups that do not fit are 422
 * {@code unsupported-setup}. (Without a file and outside development mode: {@code SetupTrustTest}.)
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlonkFlowTest {

    private static final Duration DEADLINE = Duration.ofSeconds(180);
    private static final BigInteger R = new BigInteger(
            "21888242871839275222246405745257275088548364400416034343698204186575808495617");
    private static final Path DEMO = TestModels.repositoryRoot().resolve("examples/credit-risk");
    private static final List<Double> INPUT = List.of(12.5, 0.35, 85.0, 1.0, 25.0);

    private static Path ptau;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        TestPostgres.register(registry);
        Path dir = Files.createTempDirectory("zkml-ptau");
        ptau = SnarkjsCli.locate().powersOfTau(dir, 10, "entropy of PlonkFlowTest");
        registry.add("zkml.setup.ptau-path", ptau::toString);
    }

    @LocalServerPort
    int port;

    Http http;
    String modelId;
    String circuitId;
    JsonNode circuit;

    @BeforeAll
    void compile() throws Exception {
        http = new Http(port);
        Http.Response upload = http.postMultipart("/v1/models", Http.parts("file", Files.readAllBytes(DEMO.resolve("model.tribuo")),
                "format", "tribuo", "name", "credit-risk"));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        modelId = upload.text("id");
        Http.Response created = http.postJson("/v1/models/" + modelId + "/circuits", body("plonk", null));
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        assertThat(created.text("provingSystem")).isEqualTo("plonk");
        assertThat(created.json().get("setup").get("trust").asString()).isEqualTo("universal-srs");
        circuitId = created.text("id");
        circuit = http.awaitStatus("/v1/circuits/" + circuitId, Set.of("ready", "failed"), DEADLINE);
        assertThat(circuit.get("status").asString()).as(circuit.toString()).isEqualTo("ready");
    }

    private Map<String, Object> body(String provingSystem, Map<String, String> setup) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        if (provingSystem != null) {
            body.put("provingSystem", provingSystem);
        }
        body.put("quantization", Http.json().readTree(DEMO.resolve("quantization.json").toFile()));
        if (setup != null) {
            body.put("setup", setup);
        }
        return body;
    }

    @Test
    void theCircuitSaysPlonkAndItsTrust() throws Exception {
        assertThat(circuit.get("provingSystem").asString()).isEqualTo("plonk");
        JsonNode setup = circuit.get("setup");
        assertThat(setup.get("trust").asString()).isEqualTo("universal-srs");
        assertThat(setup.get("srsSha256").asString()).isEqualTo(sha256(Files.readAllBytes(ptau)));
        assertThat(setup.get("srsPower").asInt()).isEqualTo(10);
        assertThat(setup.get("srsSize").asInt()).isEqualTo(1024 + 3); // 585 constraints + 6 public inputs -> 1024
        // the sparse R1CS of PLONK: more constraints than Groth16's 294 for this model
        assertThat(circuit.get("constraints").asInt()).isGreaterThan(294);
        assertThat(circuit.get("versions").get("gnark").asString()).startsWith("v0.");
        assertThat(circuit.get("timings").get("setupMillis").asLong()).isGreaterThanOrEqualTo(0);

        Http.Response sol = http.get("/v1/circuits/" + circuitId + "/verifier.sol", "text/plain");
        assertThat(sol.status()).isEqualTo(200);
        assertThat(sol.body()).contains("function Verify(bytes calldata proof, uint256[] calldata public_inputs)");

        Http.BytesResponse vk = http.getBytes("/v1/circuits/" + circuitId + "/verifying-key", "application/octet-stream");
        assertThat(vk.status()).isEqualTo(200);
        assertThat(sha256(vk.body())).isEqualTo(circuit.get("verifyingKeyHash").asString());

        Http.Response snarkjs = http.get("/v1/circuits/" + circuitId + "/verification_key.json");
        assertThat(snarkjs.status()).as(snarkjs.toString()).isEqualTo(422);
        assertThat(snarkjs.text("type")).isEqualTo("urn:zkml:problem:unsupported-proving-system");
    }

    @Test
    void aPlonkProofVerifiesAndATamperedOneDoesNot() {
        Http.Response r = http.postJson("/v1/circuits/" + circuitId + "/inferences", Map.of("input", INPUT));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        JsonNode inf = http.awaitStatus("/v1/inferences/" + r.text("id"), Set.of("succeeded", "failed"), DEADLINE);
        assertThat(inf.get("status").asString()).as(inf.toString()).isEqualTo("succeeded");
        String proof = inf.get("proof").asString();
        assertThat((proof.length() - 2) / 2).isEqualTo(800);
        // Verify(bytes,uint256[]): selector, two offsets, the 768-byte proof, the public inputs
        List<String> pub = strings(inf.get("publicInputs"));
        assertThat(inf.get("calldata").asString()).hasSize(2 + 2 * (4 + 32 * 4 + 768 + 32 * pub.size()));
        assertThat(inf.get("calldata").asString()).contains(proof.substring(2, 2 + 2 * 768));

        assertThat(verify(proof, pub)).isTrue();

        List<String> changed = new ArrayList<>(pub);
        int last = changed.size() - 1;
        changed.set(last, new BigInteger(changed.get(last)).add(BigInteger.ONE).mod(R).toString());
        assertThat(verify(proof, changed)).as("a changed output").isFalse();

        // one bit of l(zeta) (a scalar, still below r), one bit of the linearised opening
        for (int word : new int[]{12, 24}) {
            byte[] b = HexFormat.of().parseHex(proof.substring(2));
            b[word * 32 + 31] ^= 1;
            assertThat(verify("0x" + HexFormat.of().formatHex(b), pub)).as("word %d changed", word).isFalse();
        }

        Http.Response groth16Sized = http.postJson("/v1/verifications", Map.of("circuitId", circuitId,
                "proof", "0x" + "00".repeat(256), "publicInputs", pub));
        assertThat(groth16Sized.status()).as(groth16Sized.toString()).isEqualTo(400);
        assertThat(groth16Sized.text("type")).isEqualTo("urn:zkml:problem:malformed-proof");
        assertThat(groth16Sized.text("detail")).contains("800 bytes");
    }

    @Test
    void setupsThisServiceCannotOrMayNotRunAre422() throws Exception {
        record Case(String system, Map<String, String> setup, String detail, List<String> supported) {
        }
        List<String> plonk = List.of("universal-srs", "local-unsafe");
        List<Case> cases = List.of(
                new Case("plonk", Map.of("trust", "single-party"), "does not apply to plonk", plonk),
                new Case(null, Map.of("trust", "local-unsafe"), "does not apply to groth16", List.of("single-party", "ceremony")),
                new Case(null, Map.of("trust", "universal-srs"), "does not apply to groth16", List.of("single-party", "ceremony")),
                new Case("plonk", Map.of("trust", "ceremony"), "does not apply to plonk", plonk),
                new Case("plonk", Map.of("trust", "trust-me"), "is unknown", plonk));
        for (Case c : cases) {
            Http.Response r = http.postJson("/v1/models/" + modelId + "/circuits", body(c.system(), c.setup()));
            assertThat(r.status()).as(c + ": " + r).isEqualTo(422);
            assertThat(r.text("type")).isEqualTo("urn:zkml:problem:unsupported-setup");
            assertThat(r.text("detail")).contains(c.detail());
            assertThat(strings(r.json().get("supportedTrust"))).isEqualTo(c.supported());
        }
        Http.Response stark = http.postJson("/v1/models/" + modelId + "/circuits", body("stark", null));
        assertThat(stark.status()).isEqualTo(422);
        assertThat(stark.text("type")).isEqualTo("urn:zkml:problem:unsupported-proving-system");
        assertThat(strings(stark.json().get("supportedProvingSystems"))).containsExactly("groth16", "plonk");

        // a Groth16 circuit says single-party
        Http.Response g = http.postJson("/v1/models/" + modelId + "/circuits", body(null, Map.of("trust", "single-party")));
        assertThat(g.status()).as(g.toString()).isEqualTo(202);
        assertThat(g.json().get("setup").get("trust").asString()).isEqualTo("single-party");
        assertThat(g.text("provingSystem")).isEqualTo("groth16");
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

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

}
