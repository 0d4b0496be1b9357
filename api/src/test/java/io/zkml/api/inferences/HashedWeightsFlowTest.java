package io.zkml.api.inferences;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
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
import io.zkml.api.testing.TestModels;
import io.zkml.api.testing.TestPostgres;
import io.zkml.compiler.CompiledCircuit;

/**
 * Hashed weights through the REST API (issue 8, ADR 0025): the credit-risk demo compiled with
 * {@code "visibility": {"weights": "hashed"}}. The served IR has no weight value (its circuit hash is
 * the one the model owner recomputes from the demo's fixed IR with {@code withHashedWeights}); the
 * 202 of the POST shows the drawn weights salt once; the circuit shows {@code weightsCommitment},
 * which the owner recomputes from the weights and the salt; every proof has it as a public input
 * (after the input values, before the label) and verifies; a changed weightsCommitment does not; a
 * client's weightsSalt is used and not echoed; trees, batches and bad salts are 422s.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HashedWeightsFlowTest {

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
    String circuit;
    String weightsCommitment;
    BigInteger weightsSalt;
    /** What the model owner computes: the demo's fixed circuit with its weights hashed. */
    CompiledCircuit owner;

    @BeforeAll
    void compile() throws Exception {
        http = new Http(port);
        Http.Response upload = http.postMultipart("/v1/models", Http.parts("file", Files.readAllBytes(DEMO.resolve("model.tribuo")),
                "format", "tribuo", "name", "credit-risk"));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        modelId = upload.text("id");
        Http.Response created = http.postJson("/v1/models/" + modelId + "/circuits", body(Map.of("weights", "hashed")));
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        weightsSalt = new BigInteger(created.text("weightsSalt")); // drawn by the service, shown once
        assertThat(weightsSalt).isLessThan(R);
        circuit = created.text("id");
        JsonNode c = http.awaitStatus("/v1/circuits/" + circuit, Set.of("ready", "failed"), DEADLINE);
        assertThat(c.get("status").asString()).as(c.toString()).isEqualTo("ready");
        assertThat(c.get("visibility").get("weights").asString()).isEqualTo("hashed");
        assertThat(c.has("weightsSalt")).as("the salt is shown once, in the 202").isFalse();
        weightsCommitment = c.get("weightsCommitment").asString();

        owner = CompiledCircuit.fromIr(Files.readAllBytes(DEMO.resolve("circuit.ir.json")))
                .withHashedWeights(CompiledCircuit.DEFAULT_HASHED_WEIGHT_BITS, CompiledCircuit.DEFAULT_HASHED_BIAS_BITS);
        byte[] served = http.getBytes("/v1/circuits/" + circuit + "/ir", "application/json").body();
        assertThat(new String(served, StandardCharsets.UTF_8)).doesNotContain("\"values\"");
        assertThat(served).as("the served IR is the owner's: architecture, scales, ranges, declared widths").isEqualTo(owner.irJson());
        assertThat(c.get("circuitHash").asString()).isEqualTo(owner.circuitHash());
        assertThat(c.get("publicInputs").asInt()).isEqualTo(5 + 1 + 1);
    }

    private Map<String, Object> body(Map<String, Object> visibility) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("quantization", Http.json().readTree(DEMO.resolve("quantization.json").toFile()));
        body.put("visibility", visibility);
        return body;
    }

    @Test
    void theOwnerRecomputesTheWeightsCommitmentAndEveryProofHasIt() throws Exception {
        assertThat(owner.weightsCommitment(weightsSalt).orElseThrow().toString()).isEqualTo(weightsCommitment);

        Http.Response r = http.postJson("/v1/circuits/" + circuit + "/inferences", Map.of("input", INPUT));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        JsonNode inf = http.awaitStatus("/v1/inferences/" + r.text("id"), Set.of("succeeded", "failed"), DEADLINE);
        assertThat(inf.get("status").asString()).as(inf.toString()).isEqualTo("succeeded");
        List<String> pub = new ArrayList<>();
        inf.get("publicInputs").forEach(n -> pub.add(n.asString()));
        List<BigInteger> x = owner.quantizeInput(INPUT.stream().mapToDouble(Double::doubleValue).toArray());
        // the Java reference of the owner: input values, weights commitment, label
        assertThat(pub).containsExactlyElementsOf(owner.publicInputs(x, null, null, weightsSalt).stream().map(BigInteger::toString).toList());
        assertThat(pub.get(5)).isEqualTo(weightsCommitment);
        assertThat(inf.get("output").get("label").asString()).isEqualTo(owner.predict(INPUT.stream().mapToDouble(Double::doubleValue).toArray()).label());
        assertThat(verify(circuit, inf.get("proof").asString(), pub)).isTrue();
        List<String> changed = new ArrayList<>(pub);
        changed.set(5, new BigInteger(weightsCommitment).add(BigInteger.ONE).mod(R).toString());
        assertThat(verify(circuit, inf.get("proof").asString(), changed)).as("a changed weightsCommitment").isFalse();
        changed.set(5, owner.weightsCommitment(weightsSalt.add(BigInteger.ONE)).orElseThrow().toString());
        assertThat(verify(circuit, inf.get("proof").asString(), changed)).as("the commitment under another salt").isFalse();

        // the service keeps the weights (an artifact) and the salt (every proof needs them)
        Map<String, Object> row = jdbc.sql("SELECT weights_salt, weights_sha256, weights_commitment FROM circuits WHERE id = ?::uuid")
                .param(circuit).query().singleRow();
        assertThat(row.get("weights_salt")).isEqualTo(weightsSalt.toString());
        assertThat(row.get("weights_commitment")).isEqualTo(weightsCommitment);
        assertThat(jdbc.sql("SELECT kind FROM artifacts WHERE sha256 = ?").param(row.get("weights_sha256")).query(String.class).single())
                .isEqualTo("weights");
    }

    @Test
    void theClientsWeightsSaltIsUsedAndNotEchoedAndTheCircuitHashIsTheSame() throws Exception {
        Map<String, Object> body = body(Map.of("weights", "hashed"));
        body.put("weightsSalt", "12345");
        Http.Response created = http.postJson("/v1/models/" + modelId + "/circuits", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        assertThat(created.json().has("weightsSalt")).isFalse();
        JsonNode c = http.awaitStatus("/v1/circuits/" + created.text("id"), Set.of("ready", "failed"), DEADLINE);
        assertThat(c.get("status").asString()).as(c.toString()).isEqualTo("ready");
        assertThat(c.get("weightsCommitment").asString())
                .isEqualTo(owner.weightsCommitment(BigInteger.valueOf(12345)).orElseThrow().toString())
                .isNotEqualTo(weightsCommitment);
        assertThat(c.get("circuitHash").asString()).as("one circuit per architecture").isEqualTo(owner.circuitHash());
    }

    /** Inputs, outputs and weights hashed: three words of public input, in that order, whatever the model. */
    @Test
    void everythingHashedIsThreeCommitments() throws Exception {
        Http.Response created = http.postJson("/v1/models/" + modelId + "/circuits",
                body(Map.of("input", "hashed", "output", "hashed", "weights", "hashed")));
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        BigInteger wSalt = new BigInteger(created.text("weightsSalt"));
        String id = created.text("id");
        JsonNode c = http.awaitStatus("/v1/circuits/" + id, Set.of("ready", "failed"), DEADLINE);
        assertThat(c.get("status").asString()).as(c.toString()).isEqualTo("ready");
        assertThat(c.get("publicInputs").asInt()).isEqualTo(3);
        Http.Response r = http.postJson("/v1/circuits/" + id + "/inferences", Map.of("input", INPUT));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        JsonNode inf = http.awaitStatus("/v1/inferences/" + r.text("id"), Set.of("succeeded", "failed"), DEADLINE);
        assertThat(inf.get("status").asString()).as(inf.toString()).isEqualTo("succeeded");
        List<String> pub = new ArrayList<>();
        inf.get("publicInputs").forEach(n -> pub.add(n.asString()));
        CompiledCircuit all = CompiledCircuit.fromIr(Files.readAllBytes(DEMO.resolve("circuit.ir.json")))
                .withVisibility(io.zkml.compiler.ir.Visibility.HASHED, io.zkml.compiler.ir.Visibility.HASHED)
                .withHashedWeights(CompiledCircuit.DEFAULT_HASHED_WEIGHT_BITS, CompiledCircuit.DEFAULT_HASHED_BIAS_BITS);
        assertThat(pub).containsExactly(inf.get("commitment").asString(), inf.get("outputCommitment").asString(),
                all.weightsCommitment(wSalt).orElseThrow().toString());
        assertThat(c.get("weightsCommitment").asString()).isEqualTo(pub.get(2));
        assertThat(verify(id, inf.get("proof").asString(), pub)).isTrue();
        List<String> changed = new ArrayList<>(pub);
        changed.set(2, new BigInteger(pub.get(2)).add(BigInteger.ONE).mod(R).toString());
        assertThat(verify(id, inf.get("proof").asString(), changed)).isFalse();
    }

    @Test
    void treesBatchesAndBadSaltsAre422s() throws Exception {
        Path forest = TestModels.repositoryRoot().resolve("examples/credit-forest");
        Http.Response up = http.postMultipart("/v1/models", Http.parts("file", Files.readAllBytes(forest.resolve("model.tribuo")),
                "format", "tribuo", "name", "credit-forest"));
        assertThat(up.status()).as(up.toString()).isEqualTo(201);
        Map<String, Object> fb = new LinkedHashMap<>();
        fb.put("quantization", Http.json().readTree(forest.resolve("quantization.json").toFile()));
        fb.put("visibility", Map.of("weights", "hashed"));
        Http.Response r = http.postJson("/v1/models/" + up.text("id") + "/circuits", fb);
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.text("type")).isEqualTo("urn:zkml:problem:unsupported-visibility");
        assertThat(r.text("field")).isEqualTo("visibility.weights");
        assertThat(r.text("detail")).contains("linear", "mlp");

        Map<String, Object> batch = body(Map.of("weights", "hashed"));
        batch.put("batchSize", 4);
        r = http.postJson("/v1/models/" + modelId + "/circuits", batch);
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.text("field")).isEqualTo("visibility.weights");

        for (Object bad : List.of("-1", "007", 5, R.toString())) {
            Map<String, Object> b = body(Map.of("weights", "hashed"));
            b.put("weightsSalt", bad);
            r = http.postJson("/v1/models/" + modelId + "/circuits", b);
            assertThat(r.status()).as(r.toString()).isEqualTo(422);
            assertThat(r.text("type")).isEqualTo("urn:zkml:problem:invalid-salt");
            assertThat(r.text("field")).isEqualTo("weightsSalt");
        }
        Map<String, Object> fixed = body(Map.of("weights", "fixed"));
        fixed.put("weightsSalt", "1");
        r = http.postJson("/v1/models/" + modelId + "/circuits", fixed);
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.text("type")).isEqualTo("urn:zkml:problem:invalid-salt");
    }

    private boolean verify(String circuitId, String proof, List<String> publicInputs) {
        Http.Response r = http.postJson("/v1/verifications", Map.of("circuitId", circuitId, "proof", proof,
                "publicInputs", publicInputs));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("valid").asBoolean();
    }
}
