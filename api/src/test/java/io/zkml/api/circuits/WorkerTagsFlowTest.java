package io.zkml.api.circuits;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zkml.api.testing.Http;
import io.zkml.api.testing.TestPostgres;

/**
 * Job requirements from the API (issue 9): a circuit created with {@code "workerTags": ["gpu"]}
 * compiles on any worker, but its prove jobs require the tag {@code gpu}; this process's workers have
 * only {@code cpu}, so the proof stays queued (it is not failed), while a circuit without tags is
 * proven at once by the same workers. Malformed tags are a 400 naming the field.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WorkerTagsFlowTest {

    private static final Path DEMO = Path.of("..", "examples", "credit-risk").toAbsolutePath().normalize();
    private static final List<Double> INPUT = List.of(12.5, 0.35, 85.0, 1.0, 25.0);

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
        registry.add("zkml.worker.tags", () -> "cpu");
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Test
    void aCircuitsWorkerTagsRouteItsProofsToWorkersWithThoseTags() throws Exception {
        Http http = new Http(port);
        Http.Response upload = http.postMultipart("/v1/models", Http.parts("file",
                Files.readAllBytes(DEMO.resolve("model.tribuo")), "format", "tribuo", "name", "credit-risk"));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        String model = upload.text("id");
        JsonNode quantization = Http.json().readTree(DEMO.resolve("quantization.json").toFile());

        Http.Response bad = http.postJson("/v1/models/" + model + "/circuits",
                Map.of("quantization", quantization, "workerTags", List.of("gpu", "no spaces")));
        assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
        assertThat(bad.contentType()).startsWith("application/problem+json");
        assertThat(bad.json().get("field").asString()).isEqualTo("workerTags");

        Http.Response gpu = http.postJson("/v1/models/" + model + "/circuits",
                Map.of("quantization", quantization, "workerTags", List.of(" GPU ", "gpu")));
        assertThat(gpu.status()).as(gpu.toString()).isEqualTo(202);
        assertThat(gpu.json().get("workerTags").valueStream().map(JsonNode::asString).toList()).containsExactly("gpu");
        Http.Response plain = http.postJson("/v1/models/" + model + "/circuits", Map.of("quantization", quantization));
        assertThat(plain.json().has("workerTags")).as("absent without tags").isFalse();

        for (String id : List.of(gpu.text("id"), plain.text("id"))) {
            JsonNode c = http.awaitStatus("/v1/circuits/" + id, Set.of("ready", "failed"), Duration.ofSeconds(180));
            assertThat(c.get("status").asString()).as("a compile job needs no tag: " + c).isEqualTo("ready");
        }
        assertThat(http.get("/v1/circuits/" + gpu.text("id")).json().get("workerTags").get(0).asString()).isEqualTo("gpu");

        Http.Response onGpu = http.postJson("/v1/circuits/" + gpu.text("id") + "/inferences", Map.of("input", INPUT));
        assertThat(onGpu.status()).as(onGpu.toString()).isEqualTo(202);
        Http.Response onAny = http.postJson("/v1/circuits/" + plain.text("id") + "/inferences", Map.of("input", INPUT));
        assertThat(onAny.status()).as(onAny.toString()).isEqualTo(202);

        JsonNode done = http.awaitStatus("/v1/inferences/" + onAny.text("id"), Set.of("succeeded", "failed"),
                Duration.ofSeconds(60));
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("succeeded");
        // the cpu workers were idle and looked at the queue after that: the gpu proof is left to a gpu worker
        Thread.sleep(500);
        assertThat(http.get("/v1/inferences/" + onGpu.text("id")).text("status")).isEqualTo("queued");
        var job = jdbc.sql("SELECT status, array_to_string(required_tags, ',') FROM jobs WHERE subject_id = ?")
                .param(UUID.fromString(onGpu.text("id"))).query((rs, n) -> rs.getString(1) + "/" + rs.getString(2)).single();
        assertThat(job).isEqualTo("queued/gpu");
        var other = jdbc.sql("SELECT array_to_string(required_tags, ',') FROM jobs WHERE subject_id = ?")
                .param(UUID.fromString(onAny.text("id"))).query(String.class).single();
        assertThat(other).isEmpty();

        // cancelled, so that nothing is left for a later run
        assertThat(http.postJson("/v1/inferences/" + onGpu.text("id") + "/cancel", Map.of()).status()).isEqualTo(200);
    }
}
