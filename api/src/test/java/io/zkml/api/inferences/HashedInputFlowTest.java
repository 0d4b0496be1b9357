package io.zkml.api.inferences;

import io.zkml.api.testing.TestModels;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zkml.api.testing.Http;
import io.zkml.api.testing.TestPostgres;
import io.zkml.compiler.CompiledCircuit;

/**
 * Hashed inputs through the REST API (issue 8): the credit-risk demo compiled with
 * {@code "visibility": {"input": "hashed"}}; a proof with the client's salt and one with a salt the
 * service draws; the commitment recomputed here from the circuit's IR, the quantized input and the
 * salt equals the proof's public input; the input and the salt are never shown on GET; a changed
 * commitment does not verify; bad salts and unsupported visibilities are 422s. After the proof the
 * database keeps neither the raw nor the quantized input nor the salt of a hashed or private input
 * (ADR 0008), while a public input's row keeps its input.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HashedInputFlowTest {

    private static final Duration DEADLINE = Duration.ofSeconds(180);
    private static final BigInteger R = new BigInteger(
            "21888242871839275222246405745257275088548364400416034343698204186575808495617");
    private static final Path DEMO = TestModels.repositoryRoot().resolve("examples/credit-risk");
    private static final List<Double> INPUT = List.of(12.5, 0.35, 85.0, 1.0, 25.0);

    @DynamicPropertySource
    static void embeddedPostgres(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Http http;
    String modelId;
    String hashedCircuit;
    String publicCircuit;
    String privateCircuit;
    CompiledCircuit compiled;

    @BeforeAll
    void compile() throws Exception {
        http = new Http(port);
        Http.Response upload = http.postMultipart("/v1/models", Http.parts("file", Files.readAllBytes(DEMO.resolve("model.tribuo")),
                "format", "tribuo", "name", "credit-risk"));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        modelId = upload.text("id");
        hashedCircuit = circuit(Map.of("input", "hashed"));
        publicCircuit = circuit(null);
        privateCircuit = circuit(Map.of("input", "private"));
        JsonNode c = http.get("/v1/circuits/" + hashedCircuit).json();
        assertThat(c.get("visibility").get("input").asString()).isEqualTo("hashed");
        Http.BytesResponse ir = http.getBytes("/v1/circuits/" + hashedCircuit + "/ir", "application/json");
        assertThat(ir.status()).isEqualTo(200);
        compiled = CompiledCircuit.fromIr(ir.body());
    }

    private String circuit(Map<String, String> visibility) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("quantization", Http.json().readTree(DEMO.resolve("quantization.json").toFile()));
        if (visibility != null) {
            body.put("visibility", visibility);
        }
        Http.Response created = http.postJson("/v1/models/" + modelId + "/circuits", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        JsonNode c = http.awaitStatus("/v1/circuits/" + created.text("id"), Set.of("ready", "failed"), DEADLINE);
        assertThat(c.get("status").asString()).as(c.toString()).isEqualTo("ready");
        return created.text("id");
    }

    @Test
    void aProofWithTheClientsSaltCommitsToTheInputAndHidesIt() throws Exception {
        BigInteger salt = new BigInteger("123456789012345678901234567890");
        Http.Response r = http.postJson("/v1/circuits/" + hashedCircuit + "/inferences",
                Map.of("input", INPUT, "salt", salt.toString()));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().has("salt")).as("a salt the client sent is not echoed").isFalse();
        assertThat(r.json().has("input")).isFalse();
        JsonNode inf = http.awaitStatus("/v1/inferences/" + r.text("id"), Set.of("succeeded", "failed"), DEADLINE);
        assertThat(inf.get("status").asString()).as(inf.toString()).isEqualTo("succeeded");
        assertThat(inf.has("input")).isFalse();
        assertThat(inf.has("salt")).isFalse();

        BigInteger expected = expectedCommitment(salt);
        assertThat(inf.get("commitment").asString()).isEqualTo(expected.toString());
        List<String> pub = strings(inf.get("publicInputs"));
        assertThat(pub).hasSize(2); // one commitment, one output
        assertThat(pub.getFirst()).isEqualTo(expected.toString());
        assertThat(verify(inf.get("proof").asString(), pub)).isTrue();

        List<String> changed = new ArrayList<>(pub);
        changed.set(0, expected.add(BigInteger.ONE).mod(R).toString());
        assertThat(verify(inf.get("proof").asString(), changed)).as("another commitment").isFalse();
        assertThat(expectedCommitment(salt.add(BigInteger.ONE))).as("another salt, another commitment").isNotEqualTo(expected);
        assertErased(r.text("id"), true);
    }

    @Test
    void aSaltTheServiceDrawsIsReturnedOnceAndReproducesTheCommitment() {
        Http.Response r = http.postJson("/v1/circuits/" + hashedCircuit + "/inferences", Map.of("input", INPUT));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        BigInteger salt = new BigInteger(r.text("salt"));
        assertThat(salt.signum()).isGreaterThanOrEqualTo(0);
        assertThat(salt).isLessThan(R);
        JsonNode inf = http.awaitStatus("/v1/inferences/" + r.text("id"), Set.of("succeeded", "failed"), DEADLINE);
        assertThat(inf.get("status").asString()).as(inf.toString()).isEqualTo("succeeded");
        assertThat(inf.has("salt")).as("the drawn salt is shown only once").isFalse();
        assertThat(inf.get("commitment").asString()).isEqualTo(expectedCommitment(salt).toString());
        assertErased(r.text("id"), true);
    }

    @Test
    void aPrivateInputLeavesNoPublicTraceAndIsErasedAfterProving() {
        Http.Response r = http.postJson("/v1/circuits/" + privateCircuit + "/inferences", Map.of("input", INPUT));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().has("salt")).isFalse();
        JsonNode inf = http.awaitStatus("/v1/inferences/" + r.text("id"), Set.of("succeeded", "failed"), DEADLINE);
        assertThat(inf.get("status").asString()).as(inf.toString()).isEqualTo("succeeded");
        assertThat(inf.has("input")).isFalse();
        assertThat(inf.has("commitment")).isFalse();
        assertThat(strings(inf.get("publicInputs"))).as("the outputs only").hasSize(1);
        assertErased(r.text("id"), false);

        // A public input is the proof's public input anyway: its row keeps it.
        Http.Response p = http.postJson("/v1/circuits/" + publicCircuit + "/inferences", Map.of("input", INPUT));
        assertThat(p.status()).as(p.toString()).isEqualTo(202);
        http.awaitStatus("/v1/inferences/" + p.text("id"), Set.of("succeeded", "failed"), DEADLINE);
        Map<String, Object> row = row(p.text("id"));
        assertThat(row.get("input")).isNotNull();
        assertThat(row.get("quantized_input")).isNotNull();
    }

    /** The stored row of a proven hidden-input inference: no raw input, no quantized input, no salt. */
    private void assertErased(String id, boolean hashed) {
        Map<String, Object> row = row(id);
        assertThat(row.get("status")).isEqualTo("succeeded");
        assertThat(row.get("input_hidden")).isEqualTo(true);
        assertThat(row.get("input")).as("raw input erased").isNull();
        assertThat(row.get("quantized_input")).as("quantized input erased").isNull();
        assertThat(row.get("salt")).as("salt erased").isNull();
        assertThat(row.get("commitment") != null).as("the commitment (public) is kept").isEqualTo(hashed);
        assertThat(row.get("proof")).isNotNull();
    }

    private Map<String, Object> row(String id) {
        return jdbc.sql("SELECT status, input_hidden, input::text AS input, quantized_input::text AS quantized_input, salt, "
                        + "commitment, proof FROM inferences WHERE id = ?")
                .param(java.util.UUID.fromString(id)).query().singleRow();
    }

    @Test
    void badSaltsAndUnsupportedVisibilitiesAreRefused() {
        for (Object bad : List.of("abc", R.toString(), "-1", 7)) {
            Http.Response r = http.postJson("/v1/circuits/" + hashedCircuit + "/inferences", Map.of("input", INPUT, "salt", bad));
            assertThat(r.status()).as(bad + ": " + r).isEqualTo(422);
            assertThat(r.text("type")).isEqualTo("urn:zkml:problem:invalid-salt");
        }
        Http.Response onPublic = http.postJson("/v1/circuits/" + publicCircuit + "/inferences", Map.of("input", INPUT, "salt", "5"));
        assertThat(onPublic.status()).as(onPublic.toString()).isEqualTo(422);
        assertThat(onPublic.text("type")).isEqualTo("urn:zkml:problem:invalid-salt");
        for (Map<String, String> v : List.of(Map.of("output", "private"), Map.of("weights", "secret"), Map.of("input", "secret"))) {
            Http.Response r = http.postJson("/v1/models/" + modelId + "/circuits", Map.of("visibility", v));
            assertThat(r.status()).as(v + ": " + r).isEqualTo(422);
            assertThat(r.text("type")).isEqualTo("urn:zkml:problem:unsupported-visibility");
        }
    }

    private BigInteger expectedCommitment(BigInteger salt) {
        double[] x = INPUT.stream().mapToDouble(Double::doubleValue).toArray();
        try {
            return compiled.commitment(compiled.quantizeInput(x), salt).orElseThrow();
        } catch (io.zkml.compiler.InputValidationException e) {
            throw new AssertionError(e);
        }
    }

    private boolean verify(String proof, List<String> publicInputs) {
        Http.Response r = http.postJson("/v1/verifications", Map.of("circuitId", hashedCircuit, "proof", proof,
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
