package io.zkml.api.inferences;

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
import io.zkml.api.testing.TestModels;
import io.zkml.api.testing.TestPostgres;
import io.zkml.compiler.CompiledCircuit;

/**
 * Hashed outputs through the REST API (issue 8): the credit-risk demo compiled with
 * {@code "visibility": {"input": "hashed", "output": "hashed"}}. The POST's 202 shows the requester
 * its label, the output commitment and the drawn output salt, once; the proof's public inputs are
 * the two commitments (the client recomputes the output commitment from the served IR, the label and
 * the salt); GET never shows the outputs, the fidelity or a salt; the database keeps neither the
 * outputs nor the output salt after the proof (ADR 0008); a changed output commitment does not
 * verify; an outputSalt for a circuit whose outputs are public is a 422.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HashedOutputFlowTest {

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
    CompiledCircuit compiled;

    @BeforeAll
    void compile() throws Exception {
        http = new Http(port);
        Http.Response upload = http.postMultipart("/v1/models", Http.parts("file", Files.readAllBytes(DEMO.resolve("model.tribuo")),
                "format", "tribuo", "name", "credit-risk"));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        modelId = upload.text("id");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("quantization", Http.json().readTree(DEMO.resolve("quantization.json").toFile()));
        body.put("visibility", Map.of("input", "hashed", "output", "hashed"));
        Http.Response created = http.postJson("/v1/models/" + modelId + "/circuits", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        JsonNode c = http.awaitStatus("/v1/circuits/" + created.text("id"), Set.of("ready", "failed"), DEADLINE);
        assertThat(c.get("status").asString()).as(c.toString()).isEqualTo("ready");
        assertThat(c.get("visibility").get("output").asString()).isEqualTo("hashed");
        circuit = created.text("id");
        compiled = CompiledCircuit.fromIr(http.getBytes("/v1/circuits/" + circuit + "/ir", "application/json").body());
        assertThat(compiled.ir().hasHashedOutputs()).isTrue();
    }

    @Test
    void theRequesterSeesItsOutputOnceAndTheProofCommitsToIt() {
        Http.Response r = http.postJson("/v1/circuits/" + circuit + "/inferences", Map.of("input", INPUT));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        String label = r.json().get("output").get("label").asString();
        BigInteger outputSalt = new BigInteger(r.text("outputSalt"));
        assertThat(outputSalt).isLessThan(R);
        String outputCommitment = r.text("outputCommitment");
        BigInteger index = BigInteger.valueOf(compiled.ir().labels().indexOf(label));
        // the client's recomputation: the served IR, the label's class index, the output salt
        assertThat(compiled.outputCommitmentOf(List.of(index), outputSalt).orElseThrow().toString()).isEqualTo(outputCommitment);

        JsonNode inf = http.awaitStatus("/v1/inferences/" + r.text("id"), Set.of("succeeded", "failed"), DEADLINE);
        assertThat(inf.get("status").asString()).as(inf.toString()).isEqualTo("succeeded");
        assertThat(inf.has("output")).as("outputs are shown once, to the requester").isFalse();
        assertThat(inf.has("fidelity")).as("the fidelity names the label").isFalse();
        assertThat(inf.has("outputSalt")).isFalse();
        assertThat(inf.has("salt")).isFalse();
        assertThat(inf.get("outputCommitment").asString()).isEqualTo(outputCommitment);
        List<String> pub = new ArrayList<>();
        inf.get("publicInputs").forEach(n -> pub.add(n.asString()));
        assertThat(pub).containsExactly(inf.get("commitment").asString(), outputCommitment); // one word for the outputs
        assertThat(verify(inf.get("proof").asString(), pub)).isTrue();
        List<String> changed = new ArrayList<>(pub);
        changed.set(1, new BigInteger(outputCommitment).add(BigInteger.ONE).mod(R).toString());
        assertThat(verify(inf.get("proof").asString(), changed)).as("another output commitment").isFalse();
        BigInteger other = index.equals(BigInteger.ZERO) ? BigInteger.ONE : BigInteger.ZERO;
        changed.set(1, compiled.outputCommitmentOf(List.of(other), outputSalt).orElseThrow().toString());
        assertThat(verify(inf.get("proof").asString(), changed)).as("the commitment to another label").isFalse();

        Map<String, Object> row = jdbc.sql("SELECT output, fidelity, output_salt, salt, input FROM inferences WHERE id = ?::uuid")
                .param(r.text("id")).query().singleRow();
        assertThat(row.get("output")).isNull();
        assertThat(row.get("fidelity")).isNull();
        assertThat(row.get("output_salt")).isNull();
        assertThat(row.get("salt")).isNull();
        assertThat(row.get("input")).isNull();
    }

    @Test
    void theClientsOutputSaltIsUsedAndNotEchoed() {
        BigInteger outputSalt = new BigInteger("42424242424242424242");
        Http.Response r = http.postJson("/v1/circuits/" + circuit + "/inferences",
                Map.of("input", INPUT, "salt", "7", "outputSalt", outputSalt.toString()));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().has("outputSalt")).isFalse();
        BigInteger index = BigInteger.valueOf(compiled.ir().labels().indexOf(r.json().get("output").get("label").asString()));
        assertThat(r.text("outputCommitment")).isEqualTo(compiled.outputCommitmentOf(List.of(index), outputSalt).orElseThrow().toString());
    }

    @Test
    void badOutputSaltsAre422s() throws Exception {
        for (Object bad : List.of("-1", "007", 5, R.toString())) {
            Http.Response r = http.postJson("/v1/circuits/" + circuit + "/inferences", Map.of("input", INPUT, "outputSalt", bad));
            assertThat(r.status()).as(r.toString()).isEqualTo(422);
            assertThat(r.text("type")).isEqualTo("urn:zkml:problem:invalid-salt");
            assertThat(r.text("field")).isEqualTo("outputSalt");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("quantization", Http.json().readTree(DEMO.resolve("quantization.json").toFile()));
        body.put("visibility", Map.of("output", "private"));
        Http.Response r = http.postJson("/v1/models/" + modelId + "/circuits", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.text("type")).isEqualTo("urn:zkml:problem:unsupported-visibility");
    }

    @Test
    void aBatchHasOneOutputCommitmentToAllItsRows() throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("quantization", Http.json().readTree(DEMO.resolve("quantization.json").toFile()));
        body.put("visibility", Map.of("input", "hashed", "output", "hashed"));
        body.put("batchSize", 4);
        Http.Response created = http.postJson("/v1/models/" + modelId + "/circuits", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        String batchCircuit = created.text("id");
        JsonNode c = http.awaitStatus("/v1/circuits/" + batchCircuit, Set.of("ready", "failed"), DEADLINE);
        assertThat(c.get("status").asString()).as(c.toString()).isEqualTo("ready");
        Http.Response r = http.postJson("/v1/circuits/" + batchCircuit + "/batches",
                Map.of("inputs", List.of(INPUT, List.of(2.0, 0.1, 40.0, 0.0, 5.0))));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().get("outputs")).hasSize(2);
        assertThat(r.json().has("outputSalt")).isTrue();
        String outputCommitment = r.text("outputCommitment");
        JsonNode b = http.awaitStatus("/v1/batches/" + r.text("id"), Set.of("succeeded", "failed"), DEADLINE);
        assertThat(b.get("status").asString()).as(b.toString()).isEqualTo("succeeded");
        assertThat(b.has("outputs")).isFalse();
        assertThat(b.has("outputSalt")).isFalse();
        List<String> pub = new ArrayList<>();
        b.get("publicInputs").forEach(n -> pub.add(n.asString()));
        assertThat(pub).containsExactly(b.get("commitment").asString(), outputCommitment);
        Http.Response v = http.postJson("/v1/verifications", Map.of("circuitId", batchCircuit, "proof", b.get("proof").asString(),
                "publicInputs", pub));
        assertThat(v.json().get("valid").asBoolean()).isTrue();
    }

    private boolean verify(String proof, List<String> publicInputs) {
        Http.Response r = http.postJson("/v1/verifications", Map.of("circuitId", circuit, "proof", proof,
                "publicInputs", publicInputs));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("valid").asBoolean();
    }
}
