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
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zkml.api.testing.Http;
import io.zkml.api.testing.TestPostgres;
import io.zkml.compiler.BatchCircuit;
import io.zkml.compiler.CompiledCircuit;

/**
 * Batches through the REST API (issue 8): the credit-risk demo compiled with {@code batchSize 4}
 * and hashed inputs; a batch of 3 rows is one proof whose public inputs are one commitment (which
 * this test recomputes from the one-row IR, the padded rows and the salt) and the 4 rows' outputs;
 * it verifies, and does not with a changed output; the raw rows are erased after the proof. Bad
 * batches (too many rows, none, a malformed row, a circuit without batches, a salt for a circuit
 * without hashed inputs) are 422s and store nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchFlowTest {

    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final BigInteger R = new BigInteger(
            "21888242871839275222246405745257275088548364400416034343698204186575808495617");
    private static final Path DEMO = TestModels.repositoryRoot().resolve("examples/credit-risk");
    private static final List<List<Double>> ROWS = List.of(
            List.of(12.5, 0.35, 85.0, 1.0, 25.0),
            List.of(3.0, 0.1, 40.0, 0.0, 5.0),
            List.of(20.0, 0.6, 120.0, 2.0, 40.0));

    @DynamicPropertySource
    static void embeddedPostgres(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Http http;
    String batchCircuit;
    String publicBatchCircuit;
    String singleCircuit;

    @BeforeAll
    void compile() throws Exception {
        http = new Http(port);
        Http.Response upload = http.postMultipart("/v1/models", Http.parts("file", Files.readAllBytes(DEMO.resolve("model.tribuo")),
                "format", "tribuo", "name", "credit-risk"));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        String modelId = upload.text("id");
        batchCircuit = circuit(modelId, 4, Map.of("input", "hashed"));
        publicBatchCircuit = circuit(modelId, 2, null);
        singleCircuit = circuit(modelId, null, Map.of("input", "hashed"));
        assertThat(http.get("/v1/circuits/" + batchCircuit).json().get("batchSize").asInt()).isEqualTo(4);
        assertThat(http.get("/v1/circuits/" + singleCircuit).json().get("batchSize").asInt()).isEqualTo(1);
        // the list shows each circuit as GET /v1/circuits/{id} does
        JsonNode items = http.get("/v1/circuits?modelId=" + modelId).json().get("items");
        java.util.Map<String, Integer> listed = new java.util.HashMap<>();
        items.forEach(c -> listed.put(c.get("id").asString(), c.get("batchSize").asInt()));
        assertThat(listed).containsEntry(batchCircuit, 4).containsEntry(publicBatchCircuit, 2).containsEntry(singleCircuit, 1);
    }

    private String circuit(String modelId, Integer batchSize, Map<String, String> visibility) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("quantization", Http.json().readTree(DEMO.resolve("quantization.json").toFile()));
        if (batchSize != null) {
            body.put("batchSize", batchSize);
        }
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
    void threeRowsAreOneProofWithOneCommitmentAndTheirOutputs() throws Exception {
        BigInteger salt = new BigInteger("987654321987654321");
        Http.Response r = http.postJson("/v1/circuits/" + batchCircuit + "/batches", Map.of("inputs", ROWS, "salt", salt.toString()));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().get("rows").asInt()).isEqualTo(3);
        assertThat(r.json().has("inputs")).as("hashed rows are never shown").isFalse();
        JsonNode b = http.awaitStatus("/v1/batches/" + r.text("id"), Set.of("succeeded", "failed"), DEADLINE);
        assertThat(b.get("status").asString()).as(b.toString()).isEqualTo("succeeded");
        assertThat(b.get("outputs").size()).isEqualTo(3);
        assertThat(b.get("fidelity").size()).isEqualTo(3);
        assertThat(b.get("outputs").get(0).has("values") || b.get("outputs").get(0).has("label")).isTrue();

        // the commitment, recomputed from the one-row circuit: the rows quantized, padded, committed
        CompiledCircuit single = CompiledCircuit.fromIr(http.getBytes("/v1/circuits/" + singleCircuit + "/ir",
                "application/json").body());
        BatchCircuit batch = BatchCircuit.of(single, 4);
        List<double[]> rows = ROWS.stream().map(l -> l.stream().mapToDouble(Double::doubleValue).toArray()).toList();
        List<BigInteger> padded = batch.quantizeRows(rows);
        BigInteger commitment = batch.commitment(padded, salt).orElseThrow();
        assertThat(b.get("commitment").asString()).isEqualTo(commitment.toString());
        List<String> pub = strings(b.get("publicInputs"));
        List<String> expected = batch.publicInputs(padded, salt).stream().map(BigInteger::toString).toList();
        assertThat(pub).isEqualTo(expected);
        assertThat(pub).hasSize(1 + 4 * single.ir().outputSize()); // one commitment, every row's outputs
        assertThat(pub.getFirst()).isEqualTo(commitment.toString());

        assertThat(verify(batchCircuit, b.get("proof").asString(), pub)).isTrue();
        List<String> changed = new ArrayList<>(pub);
        changed.set(1, new BigInteger(pub.get(1)).add(BigInteger.ONE).mod(R).toString());
        assertThat(verify(batchCircuit, b.get("proof").asString(), changed)).as("a changed output").isFalse();

        Map<String, Object> row = jdbc.sql("SELECT input::text AS input, quantized_input::text AS q, salt, batch_rows "
                + "FROM inferences WHERE id = ?").param(java.util.UUID.fromString(r.text("id"))).query().singleRow();
        assertThat(row.get("input")).as("raw rows erased").isNull();
        assertThat(row.get("q")).isNull();
        assertThat(row.get("salt")).isNull();
        assertThat(row.get("batch_rows")).isEqualTo(3);
        assertThat(http.get("/v1/batches/" + java.util.UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(http.get("/v1/inferences/" + r.text("id")).status()).as("a batch is not an inference").isEqualTo(404);
    }

    @Test
    void badBatchesAreRefusedBeforeAnythingIsStored() {
        long before = count();
        List<List<Double>> five = new ArrayList<>(ROWS);
        five.add(ROWS.get(0));
        five.add(ROWS.get(1));
        assertProblem(batchCircuit, Map.of("inputs", five), "invalid-input", "batch-size", null);
        assertProblem(batchCircuit, Map.of("inputs", List.of()), "invalid-input", "batch-size", null);
        assertProblem(batchCircuit, Map.of("inputs", List.of(ROWS.get(0), List.of(1.0, 2.0))), "invalid-input", "wrong-count", 1);
        assertProblem(batchCircuit, Map.of("inputs", List.of(ROWS.get(0), ROWS.get(1), "abc")), "invalid-input", "malformed-row", 2);
        List<Object> nan = new ArrayList<>(ROWS.get(0));
        nan.set(2, "NaN");
        assertProblem(batchCircuit, Map.of("inputs", List.of(ROWS.get(0), nan)), "invalid-input", null, 1);
        assertProblem(singleCircuit, Map.of("inputs", List.of(ROWS.get(0))), "invalid-input", "no-batches", null);
        assertProblem(publicBatchCircuit, Map.of("inputs", List.of(ROWS.get(0)), "salt", "5"), "invalid-salt", null, null);
        assertProblem(batchCircuit, Map.of("inputs", List.of(ROWS.get(0)), "salt", R.toString()), "invalid-salt", null, null);
        Http.Response single = http.postJson("/v1/circuits/" + batchCircuit + "/inferences", Map.of("input", ROWS.get(0)));
        assertThat(single.status()).as(single.toString()).isEqualTo(422);
        assertThat(count()).as("nothing stored").isEqualTo(before);

        // a public batch of one row: padded, proven, its input shown
        Http.Response p = http.postJson("/v1/circuits/" + publicBatchCircuit + "/batches", Map.of("inputs", List.of(ROWS.get(1))));
        assertThat(p.status()).as(p.toString()).isEqualTo(202);
        JsonNode b = http.awaitStatus("/v1/batches/" + p.text("id"), Set.of("succeeded", "failed"), DEADLINE);
        assertThat(b.get("status").asString()).as(b.toString()).isEqualTo("succeeded");
        assertThat(b.get("inputs").size()).isEqualTo(1);
        assertThat(b.get("outputs").size()).isEqualTo(1);
        assertThat(verify(publicBatchCircuit, b.get("proof").asString(), strings(b.get("publicInputs")))).isTrue();
    }

    private void assertProblem(String circuit, Map<String, Object> body, String type, String reason, Integer row) {
        Http.Response r = http.postJson("/v1/circuits/" + circuit + "/batches", body);
        assertThat(r.status()).as(body + ": " + r).isEqualTo(422);
        assertThat(r.text("type")).as(r.toString()).isEqualTo("urn:zkml:problem:" + type);
        if (reason != null) {
            assertThat(r.text("reason")).as(r.toString()).isEqualTo(reason);
        }
        if (row != null) {
            assertThat(r.json().get("row").asInt()).as(r.toString()).isEqualTo(row);
            assertThat(r.text("detail")).startsWith("row " + row + ": ");
        }
    }

    private long count() {
        return jdbc.sql("SELECT count(*) FROM inferences").query(Long.class).single();
    }

    private boolean verify(String circuit, String proof, List<String> publicInputs) {
        Http.Response r = http.postJson("/v1/verifications", Map.of("circuitId", circuit, "proof", proof,
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
