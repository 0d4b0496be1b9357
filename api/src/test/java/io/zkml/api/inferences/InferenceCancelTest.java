package io.zkml.api.inferences;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

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

import io.zkml.api.jobs.JobRepository;
import io.zkml.api.security.ApiKeys;
import io.zkml.api.testing.Http;
import io.zkml.api.testing.TestPostgres;

/**
 * {@code POST /v1/inferences/{id}/cancel} over HTTP with keys (issue 9). The workers of this
 * process take circuits of at most one constraint ({@code zkml.worker.max-constraints=1}): they
 * compile (a compile job's size is unknown) but leave every proof queued, which is what a
 * cancellation needs; routing by capability keeps them queued instead of failing them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InferenceCancelTest {

    static final String ADMIN_KEY = ApiKeys.generate();
    private static final Path DEMO = Path.of("..", "examples", "credit-risk").toAbsolutePath().normalize();
    private static final List<Double> INPUT = List.of(12.5, 0.35, 85.0, 1.0, 25.0);

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
        registry.add("zkml.auth.required", () -> "true");
        registry.add("zkml.auth.bootstrap-admin-key-sha256", () -> ApiKeys.sha256(ADMIN_KEY));
        registry.add("zkml.worker.max-constraints", () -> "1");
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    JobRepository jobs;

    Http alice;
    Http bob;
    String circuitId;

    private Http client(String owner) {
        Http admin = new Http(port).withKey(ADMIN_KEY);
        Http.Response r = admin.postJson("/v1/api-keys", Map.of("owner", owner, "scopes", List.of("read", "prove")));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return new Http(port).withKey(r.text("key"));
    }

    @BeforeAll
    void compile() throws Exception {
        alice = client("alice");
        bob = client("bob");
        Http.Response upload = alice.postMultipart("/v1/models", Http.parts("file",
                Files.readAllBytes(DEMO.resolve("model.tribuo")), "format", "tribuo", "name", "credit-risk"));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        Http.Response created = alice.postJson("/v1/models/" + upload.text("id") + "/circuits",
                Map.of("quantization", Http.json().readTree(DEMO.resolve("quantization.json").toFile())));
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        circuitId = created.text("id");
        JsonNode c = alice.awaitStatus("/v1/circuits/" + circuitId, Set.of("ready", "failed"), Duration.ofSeconds(180));
        assertThat(c.get("status").asString()).as(c.toString()).isEqualTo("ready");
    }

    private String queuedInference() {
        Http.Response r = alice.postJson("/v1/circuits/" + circuitId + "/inferences", Map.of("input", INPUT));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.text("status")).isEqualTo("queued");
        return r.text("id");
    }

    private static void problem(Http.Response r, int status, String type) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("type").asString()).isEqualTo("urn:zkml:problem:" + type);
    }

    @Test
    void theOwnerCancelsAQueuedInferenceItsJobLeavesTheQueueAndASecondCancelIs409() throws Exception {
        String id = queuedInference();
        Thread.sleep(500); // the workers look, and leave it: too large for them
        assertThat(alice.get("/v1/inferences/" + id).text("status")).isEqualTo("queued");

        problem(bob.postJson("/v1/inferences/" + id + "/cancel", Map.of()), 404, "not-found");
        assertThat(alice.get("/v1/inferences/" + id).text("status")).isEqualTo("queued");

        Http.Response cancelled = alice.postJson("/v1/inferences/" + id + "/cancel", Map.of());
        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
        assertThat(cancelled.text("status")).isEqualTo("cancelled");
        assertThat(cancelled.text("error")).isEqualTo("cancelled by its owner");
        assertThat(cancelled.json().has("finishedAt")).isTrue();
        JsonNode got = alice.get("/v1/inferences/" + id).json();
        assertThat(got.get("status").asString()).isEqualTo("cancelled");
        var job = jdbc.sql("SELECT status, last_error FROM jobs WHERE subject_id = ?").param(UUID.fromString(id))
                .query((rs, n) -> rs.getString(1) + "/" + rs.getString(2)).single();
        assertThat(job).isEqualTo("failed/cancelled by its owner");
        JsonNode page = alice.get("/v1/inferences?status=cancelled&circuitId=" + circuitId).json();
        assertThat(page.get("items").valueStream().map(n -> n.get("id").asString())).contains(id);

        Http.Response again = alice.postJson("/v1/inferences/" + id + "/cancel", Map.of());
        problem(again, 409, "not-cancellable");
        assertThat(again.json().get("currentStatus").asString()).isEqualTo("cancelled");
    }

    @Test
    void anInferenceAWorkerAlreadyClaimedIsNotCancellable() {
        String id = queuedInference();
        // a worker (this test, with no limits) claims the job
        var claimed = jobs.claim("test-worker/1", java.time.Duration.ofMinutes(1));
        assertThat(claimed).isPresent();
        assertThat(claimed.get().subjectId()).isEqualTo(UUID.fromString(id));
        Http.Response r = alice.postJson("/v1/inferences/" + id + "/cancel", Map.of());
        problem(r, 409, "not-cancellable");
        assertThat(r.json().get("currentStatus").asString()).isEqualTo("proving");
        assertThat(jobs.find(claimed.get().id()).orElseThrow().status().dbName()).isEqualTo("running");
    }

    @Test
    void anUnknownOrMalformedIdIsAProblem() {
        problem(alice.postJson("/v1/inferences/" + UUID.randomUUID() + "/cancel", Map.of()), 404, "not-found");
        Http.Response bad = alice.postJson("/v1/inferences/not-a-uuid/cancel", Map.of());
        assertThat(bad.status()).as(bad.toString()).isIn(400, 404);
        assertThat(bad.contentType()).startsWith("application/problem+json");
    }
}
