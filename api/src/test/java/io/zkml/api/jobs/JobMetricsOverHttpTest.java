package io.zkml.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
import org.springframework.transaction.support.TransactionTemplate;

import io.zkml.api.testing.Http;
import io.zkml.api.testing.TestPostgres;

/**
 * The queue's metrics at {@code /actuator/prometheus} after real jobs (issue 9): the demo circuit
 * compiled and proved by this process's workers, and one prove job that fails for good; queue depth
 * by kind, worker count, latency and proving-time histograms by size, failures by reason. Also: a
 * prove job is queued with its circuit's size as requirement, and the inference shows its attempt.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobMetricsOverHttpTest {

    private static final Duration DEADLINE = Duration.ofSeconds(180);
    private static final Path DEMO = Path.of("..", "examples", "credit-risk").toAbsolutePath().normalize();

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    JobRepository jobs;

    @Autowired
    JobSignal signal;

    @Autowired
    TransactionTemplate tx;

    Http http;
    String circuitId;
    JsonNode inference;

    @BeforeAll
    void proveOnce() throws Exception {
        http = new Http(port);
        Http.Response upload = http.postMultipart("/v1/models", Http.parts("file",
                Files.readAllBytes(DEMO.resolve("model.tribuo")), "format", "tribuo", "name", "credit-risk"));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        Http.Response created = http.postJson("/v1/models/" + upload.text("id") + "/circuits",
                Map.of("quantization", Http.json().readTree(DEMO.resolve("quantization.json").toFile())));
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        circuitId = created.text("id");
        JsonNode c = http.awaitStatus("/v1/circuits/" + circuitId, Set.of("ready", "failed"), DEADLINE);
        assertThat(c.get("status").asString()).as(c.toString()).isEqualTo("ready");
        Http.Response r = http.postJson("/v1/circuits/" + circuitId + "/inferences",
                Map.of("input", java.util.List.of(12.5, 0.35, 85.0, 1.0, 25.0)));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        inference = http.awaitStatus("/v1/inferences/" + r.text("id"), Set.of("succeeded", "failed"), DEADLINE);
        assertThat(inference.get("status").asString()).as(inference.toString()).isEqualTo("succeeded");
    }

    private String scrape() {
        Http.Response m = http.get("/actuator/prometheus");
        assertThat(m.status()).isEqualTo(200);
        return m.body();
    }

    /** The value of the first sample whose name and labels match {@code pattern} (a regex over the line). */
    private static double sample(String body, String pattern) {
        Matcher m = Pattern.compile("(?m)^" + pattern + " ([0-9.eE+-]+|NaN)$").matcher(body);
        assertThat(m.find()).as("a sample matching " + pattern + " in\n" + body).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aProveJobRequiresItsCircuitsSizeAndTheInferenceShowsItsAttempt() {
        long constraints = jdbc.sql("SELECT constraints FROM circuits WHERE id = ?").param(UUID.fromString(circuitId))
                .query(Long.class).single();
        UUID inferenceId = UUID.fromString(inference.get("id").asString());
        assertThat(jdbc.sql("SELECT required_constraints FROM jobs WHERE subject_id = ?").param(inferenceId)
                .query(Long.class).single()).isEqualTo(constraints);
        assertThat(jdbc.sql("SELECT required_memory_mb FROM jobs WHERE subject_id = ?").param(inferenceId)
                .query(Long.class).single()).isEqualTo(64 + constraints / 1024);
        assertThat(inference.get("attempt").asInt()).isEqualTo(1);
    }

    @Test
    void queueDepthWorkersLatencyProvingTimeAndFailuresAreExported() throws Exception {
        // a prove job whose inference does not exist fails for good (reason "permanent")
        UUID job = tx.execute(s -> jobs.enqueue(JobKind.PROVE, UUID.randomUUID(), 3));
        signal.jobQueued();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (jobs.find(job).orElseThrow().status() != JobStatus.FAILED && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(jobs.find(job).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
        Thread.sleep(2100); // the gauges read the database at most every 2 s

        String body = scrape();
        long constraints = jdbc.sql("SELECT constraints FROM circuits WHERE id = ?").param(UUID.fromString(circuitId))
                .query(Long.class).single();
        String size = JobMetrics.sizeClass(constraints);

        assertThat(sample(body, "zkml_jobs_queued\\{kind=\"prove\"\\}")).isZero();
        assertThat(sample(body, "zkml_jobs_queued\\{kind=\"compile\"\\}")).isZero();
        assertThat(sample(body, "zkml_jobs_running\\{kind=\"prove\"\\}")).isZero();
        assertThat(sample(body, "zkml_workers")).isEqualTo(1.0);
        assertThat(sample(body, "zkml_worker_threads")).isEqualTo(2.0);
        // issue 9: the worker's artifact cache holds the circuit's keys and constraint system, under its bound
        assertThat(sample(body, "zkml_artifact_cache_bytes")).isPositive();
        assertThat(sample(body, "zkml_artifact_cache_max_bytes")).isEqualTo(8.0 * 1024 * 1024 * 1024);
        assertThat(sample(body, "zkml_artifact_cache_evictions_total")).isZero();
        assertThat(sample(body, "zkml_job_latency_seconds_count\\{kind=\"prove\",outcome=\"succeeded\",size=\"" + size + "\"\\}"))
                .isEqualTo(1.0);
        assertThat(sample(body, "zkml_job_latency_seconds_bucket\\{kind=\"prove\",outcome=\"succeeded\",size=\"" + size
                + "\",le=\"\\+Inf\"\\}")).isEqualTo(1.0);
        assertThat(sample(body, "zkml_job_latency_seconds_count\\{kind=\"compile\",outcome=\"succeeded\",size=\"unknown\"\\}"))
                .isEqualTo(1.0);
        assertThat(sample(body, "zkml_job_latency_seconds_count\\{kind=\"prove\",outcome=\"failed\",size=\"unknown\"\\}"))
                .isEqualTo(1.0);
        assertThat(sample(body, "zkml_proving_time_seconds_count\\{size=\"" + size + "\"\\}")).isEqualTo(1.0);
        assertThat(sample(body, "zkml_proving_time_seconds_sum\\{size=\"" + size + "\"\\}")).isPositive();
        assertThat(sample(body, "zkml_job_failures_total\\{kind=\"prove\",reason=\"permanent\"\\}")).isEqualTo(1.0);
        assertThat(body).doesNotContain("reason=\"transient\"");

        // a queued job nobody has claimed yet shows in the depth: one queued far in the future
        tx.executeWithoutResult(s -> {
            UUID later = jobs.enqueue(JobKind.COMPILE, UUID.randomUUID(), 3);
            jdbc.sql("UPDATE jobs SET run_after = now() + interval '1 hour' WHERE id = ?").param(later).update();
        });
        Thread.sleep(2100);
        assertThat(sample(scrape(), "zkml_jobs_queued\\{kind=\"compile\"\\}")).isEqualTo(1.0);
    }

    @Test
    void sizeClassesArePowersOfSixteenFromOneKi() {
        assertThat(JobMetrics.sizeClass(null)).isEqualTo("unknown");
        assertThat(JobMetrics.sizeClass(1L)).isEqualTo("le_1024");
        assertThat(JobMetrics.sizeClass(1024L)).isEqualTo("le_1024");
        assertThat(JobMetrics.sizeClass(1025L)).isEqualTo("le_16384");
        assertThat(JobMetrics.sizeClass(1_000_000L)).isEqualTo("le_4194304");
        assertThat(JobMetrics.sizeClass(262_145L)).isEqualTo("le_4194304");
    }
}
