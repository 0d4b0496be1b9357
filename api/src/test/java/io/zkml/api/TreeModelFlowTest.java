package io.zkml.api;

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

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zkml.api.testing.Http;
import io.zkml.api.testing.Http.Response;
import io.zkml.api.testing.TestModels;
import io.zkml.api.testing.TestPostgres;

/**
 * Tree models through the whole service over real HTTP: a CART classifier, a voting random forest,
 * an averaging regression forest and the {@code examples/credit-forest} demo are uploaded, compiled
 * (IR v2 split_bits / tree / weighted_sum / argmax), proven with inputs given by name, and verified;
 * a proof with a changed output is refused.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TreeModelFlowTest {

    private static final Duration DEADLINE = Duration.ofSeconds(180);
    private static final Set<String> CIRCUIT_DONE = Set.of("ready", "failed");
    private static final Set<String> INFERENCE_DONE = Set.of("succeeded", "failed");
    private static final BigInteger R = new BigInteger(
            "21888242871839275222246405745257275088548364400416034343698204186575808495617");
    private static final Path CREDIT_FOREST = TestModels.repositoryRoot().resolve("examples/credit-forest");

    @DynamicPropertySource
    static void embeddedPostgres(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
    }

    @LocalServerPort
    int port;

    Http http;

    /** One proven model: its upload, its ready circuit and one succeeded inference. */
    record Proven(JsonNode model, JsonNode circuit, JsonNode inference) {
    }

    final Map<String, Proven> proven = new LinkedHashMap<>();

    @BeforeAll
    void uploadCompileAndProveEveryShape() throws Exception {
        http = new Http(port);
        Map<String, Object> flower = new LinkedHashMap<>();
        flower.put("petal_length", 4.4);
        flower.put("petal_width", 1.3);
        flower.put("sepal_length", 6.1);
        proven.put("cart", prove("cart", TestModels.cartClassifier(5), null, flower));
        proven.put("forest", prove("forest", TestModels.randomForestClassifier(6), null, flower));
        proven.put("regression-forest", prove("regression-forest", TestModels.randomForestRegressor(5), null, flower));
        byte[] demo = Files.readAllBytes(CREDIT_FOREST.resolve("model.tribuo"));
        JsonNode settings = Http.json().readTree(CREDIT_FOREST.resolve("quantization.json").toFile());
        JsonNode input = Http.json().readTree(CREDIT_FOREST.resolve("input.json").toFile()).get("input");
        Map<String, Object> applicant = new LinkedHashMap<>();
        List<String> creditFeatures = List.of("credit_history_years", "debt_ratio", "income_k", "late_payments", "loan_amount_k");
        for (int i = 0; i < creditFeatures.size(); i++) {
            applicant.put(creditFeatures.get(i), input.get(i).asDouble());
        }
        proven.put("credit-forest", prove("credit-forest", demo, settings, applicant));
    }

    private Proven prove(String name, byte[] model, JsonNode quantization, Map<String, Object> inputByName) throws Exception {
        Response upload = http.postMultipart("/v1/models", Http.parts("file", model, "format", "tribuo", "name", name));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("provingSystem", "groth16");
        if (quantization != null) {
            body.put("quantization", quantization);
        }
        Response created = http.postJson("/v1/models/" + upload.text("id") + "/circuits", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        JsonNode circuit = http.awaitStatus("/v1/circuits/" + created.text("id"), CIRCUIT_DONE, DEADLINE);
        assertThat(circuit.get("status").asString()).as(name + ": " + circuit).isEqualTo("ready");
        Response r = http.postJson("/v1/circuits/" + created.text("id") + "/inferences",
                Http.json().writeValueAsString(Map.of("input", inputByName)));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        JsonNode inference = http.awaitStatus("/v1/inferences/" + r.text("id"), INFERENCE_DONE, DEADLINE);
        assertThat(inference.get("status").asString()).as(name + ": " + inference).isEqualTo("succeeded");
        return new Proven(upload.json(), circuit, inference);
    }

    @Test
    void everyTreeModelIsDescribedByItsFamilyAndSize() {
        assertThat(proven.get("cart").model().get("family").asString()).isEqualTo("tree");
        assertThat(proven.get("forest").model().get("family").asString()).isEqualTo("ensemble");
        assertThat(proven.get("forest").model().get("memberCount").asInt()).isEqualTo(6);
        assertThat(proven.get("credit-forest").model().get("memberCount").asInt()).isEqualTo(16);
        assertThat(proven.get("credit-forest").model().get("maxDepth").asInt()).isBetween(1, 5);
        assertThat(proven.get("regression-forest").model().get("task").asString()).isEqualTo("regression");
    }

    @Test
    void theCircuitReportsItsConstraintsPerOpKindAndTheySumToTheTotal() {
        for (Map.Entry<String, Proven> e : proven.entrySet()) {
            JsonNode c = e.getValue().circuit();
            JsonNode byOp = c.get("constraintsByOp");
            assertThat(byOp).as(e.getKey() + ": " + c).isNotNull();
            List<String> kinds = new ArrayList<>();
            int sum = 0;
            for (var f : byOp.properties()) {
                kinds.add(f.getKey());
                sum += f.getValue().asInt();
            }
            assertThat(sum).as(e.getKey()).isEqualTo(c.get("constraints").asInt());
            assertThat(kinds).as(e.getKey()).startsWith("input_range", "split_bits", "tree").endsWith("output");
        }
        assertThat(proven.get("forest").circuit().get("constraintsByOp").has("argmax")).isTrue();
        assertThat(proven.get("forest").circuit().get("constraintsByOp").has("weighted_sum")).isTrue();
        // A single classification tree's leaves are the label: no vote count, no argmax.
        assertThat(proven.get("cart").circuit().get("constraintsByOp").has("argmax")).isFalse();
    }

    @Test
    void theProvenOutputIsTribuosPredictionAndTheProofVerifies() {
        for (Map.Entry<String, Proven> e : proven.entrySet()) {
            JsonNode inf = e.getValue().inference();
            JsonNode fidelity = inf.get("fidelity");
            if (e.getKey().equals("regression-forest")) {
                assertThat(fidelity.get("maxAbsoluteError").asDouble()).as(e.getKey() + ": " + fidelity)
                        .isLessThanOrEqualTo(fidelity.get("errorBound").asDouble() + 1e-9);
                assertThat(inf.get("output").get("values").has(TestModels.TREE_REGRESSION_OUTPUT)).isTrue();
            } else {
                assertThat(fidelity.get("labelsAgree").asBoolean()).as(e.getKey() + ": " + fidelity).isTrue();
                assertThat(inf.get("output").get("label").asString()).isEqualTo(fidelity.get("floatLabel").asString());
            }
            List<String> pub = strings(inf.get("publicInputs"));
            String circuit = e.getValue().circuit().get("id").asString();
            assertThat(verify(circuit, inf.get("proof").asString(), pub)).as(e.getKey()).isTrue();
            // The last public input is the output: another output must not verify.
            List<String> other = new ArrayList<>(pub);
            other.set(other.size() - 1, new BigInteger(other.getLast()).add(BigInteger.ONE).mod(R).toString());
            assertThat(verify(circuit, inf.get("proof").asString(), other)).as(e.getKey() + ", changed output").isFalse();
        }
    }

    private boolean verify(String circuit, String proof, List<String> publicInputs) {
        Response r = http.postJson("/v1/verifications", Map.of("circuitId", circuit, "proof", proof, "publicInputs", publicInputs));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("valid").asBoolean();
    }

    private static List<String> strings(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asString()));
        return l;
    }

}
