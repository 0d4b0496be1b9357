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

import io.zkml.api.jobs.Job;

import io.zkml.api.jobs.JobRepository;
import io.zkml.api.security.ApiKeys;
import io.zkml.api.testing.Http;
import io.zkml.api.testing.TestPostgres;

/**
 * Issue 9 (ADR 0027): the long poll {@code GET /v1/inferences/{id}?wait=} (V46's NOTIFY wakes it when
 * the inference ends, whichever path ended it), and the claim that moves a prove job's inference to
 * {@code proving} in the same statement. As in {@link InferenceCancelTest}, this process's workers
 * take circuits of at most one constraint: every proof stays queued until the test acts.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LongPollAndClaimTest {

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

    @Autowired
    InferenceRepository inferences;

    @Test
    void aLongPollOfAQueuedInferenceAnswersWhenTheWaitIsOverWithTheSameResponse() {
        String id = queuedInference();
        long t0 = System.nanoTime();
        Http.Response r = alice.get("/v1/inferences/" + id + "?wait=0.4");
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.text("status")).isEqualTo("queued");
        assertThat(millis).as("it waited").isGreaterThanOrEqualTo(350);
        JsonNode plain = alice.get("/v1/inferences/" + id).json();
        assertThat(r.json().get("id")).isEqualTo(plain.get("id"));
        assertThat(r.json().get("phase")).isEqualTo(plain.get("phase"));
        alice.postJson("/v1/inferences/" + id + "/cancel", Map.of());
    }

    @Test
    void aLongPollWakesWhenTheInferenceEndsNotWhenTheWaitIsOver() throws Exception {
        String id = queuedInference();
        Thread canceller = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            Http.Response c = alice.postJson("/v1/inferences/" + id + "/cancel", Map.of());
            assertThat(c.status()).as(c.toString()).isEqualTo(200);
        });
        long t0 = System.nanoTime();
        Http.Response r = alice.get("/v1/inferences/" + id + "?wait=25");
        long millis = (System.nanoTime() - t0) / 1_000_000;
        canceller.join();
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.text("status")).isEqualTo("cancelled");
        assertThat(r.text("phase")).isEqualTo("done");
        // woken by the end (V46's NOTIFY), not by the 25 s wait running out
        assertThat(millis).isLessThan(20_000);
        // an inference that has ended answers at once
        assertThat(alice.get("/v1/inferences/" + id + "?wait=25").text("status")).isEqualTo("cancelled");
    }

    @Test
    void aLongPollWakesWhenAWorkerStoresTheResult() throws Exception {
        String id = queuedInference();
        Job job = jobs.claim("test-worker/long-poll", Duration.ofMinutes(1)).orElseThrow();
        assertThat(job.subjectId()).isEqualTo(UUID.fromString(id));
        Thread worker = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            jobs.fail(job.id(), "test-worker/long-poll", "test");
            inferences.fail(UUID.fromString(id), "failed by the test");
        });
        Http.Response r = alice.get("/v1/inferences/" + id + "?wait=25");
        worker.join();
        assertThat(r.text("status")).as(r.toString()).isEqualTo("failed");
        assertThat(r.text("error")).isEqualTo("failed by the test");
    }

    @Test
    void theClaimMovesTheInferenceToProvingWithItsAttemptAndReturnsSizeAndQueueTime() throws Exception {
        String id = queuedInference();
        Thread.sleep(50);
        Job job = jobs.claim("test-worker/claim", Duration.ofMinutes(1)).orElseThrow();
        assertThat(job.subjectId()).isEqualTo(UUID.fromString(id));
        assertThat(job.requiredConstraints()).isNotNull().isGreaterThan(1L);
        assertThat(job.queueMillis()).isGreaterThanOrEqualTo(0L);
        JsonNode got = alice.get("/v1/inferences/" + id).json();
        assertThat(got.get("status").asString()).isEqualTo("proving");
        assertThat(got.get("phase").asString()).isEqualTo("loading");
        assertThat(got.get("attempt").asInt()).isEqualTo(1);

        // a phase is written only under the lease: another owner changes nothing
        assertThat(inferences.setPhaseInLease(UUID.fromString(id), "proving", job.id(), "someone-else")).isFalse();
        assertThat(alice.get("/v1/inferences/" + id).text("phase")).isEqualTo("loading");
        assertThat(inferences.setPhaseInLease(UUID.fromString(id), "proving", job.id(), "test-worker/claim")).isTrue();
        assertThat(alice.get("/v1/inferences/" + id).text("phase")).isEqualTo("proving");

        // back to the queue (as the reaper does), then a second claim is attempt 2
        assertThat(jobs.retryOrFail(job.id(), "test-worker/claim", "test", Duration.ZERO)).isPresent();
        inferences.requeue(UUID.fromString(id));
        Job again = jobs.claim("test-worker/claim", Duration.ofMinutes(1)).orElseThrow();
        assertThat(again.id()).isEqualTo(job.id());
        assertThat(alice.get("/v1/inferences/" + id).json().get("attempt").asInt()).isEqualTo(2);
        jobs.fail(again.id(), "test-worker/claim", "test");
        inferences.fail(UUID.fromString(id), "test");
    }

    @Test
    void aBadWaitIsA400NamingTheField() {
        String id = queuedInference();
        for (String bad : List.of("abc", "31", "-1", "1e3", "0.0001", "")) {
            Http.Response r = alice.get("/v1/inferences/" + id + "?wait=" + bad);
            problem(r, 400, "invalid-request");
            assertThat(r.json().get("field").asString()).isEqualTo("wait");
        }
        alice.postJson("/v1/inferences/" + id + "/cancel", Map.of());
    }
}
