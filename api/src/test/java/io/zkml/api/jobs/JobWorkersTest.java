package io.zkml.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.zkml.api.db.embedded.EmbeddedPostgres;
import io.zkml.api.testing.TestPostgres;

/**
 * How a worker records the outcome of one job ({@link JobWorkers#runOne}) on a real PostgreSQL:
 * whatever a handler throws, the job ends failed or back in the queue (never running), and the
 * subject hears of it in the same transaction.
 */
class JobWorkersTest {

    private static final Duration LEASE = Duration.ofMinutes(5);

    @TempDir
    static Path dir;

    private static EmbeddedPostgres pg;
    private static HikariDataSource ds;

    private JobRepository jobs;
    private TransactionTemplate tx;

    @BeforeAll
    static void startPostgres() {
        pg = EmbeddedPostgres.start(TestPostgres.settings(dir));
        ds = TestPostgres.migratedDataSource(pg);
    }

    @AfterAll
    static void stopPostgres() {
        if (ds != null) {
            ds.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @BeforeEach
    void emptyQueue() {
        jobs = new JobRepository(JdbcClient.create(ds));
        tx = new TransactionTemplate(new JdbcTransactionManager(ds));
        JdbcClient.create(ds).sql("DELETE FROM jobs").update();
    }

    /** A handler that throws what it is given and records what the worker tells it. */
    static final class ThrowingHandler implements JobHandler {
        final Throwable toThrow;
        final List<String> events = new ArrayList<>();

        ThrowingHandler(Throwable toThrow) {
            this.toThrow = toThrow;
        }

        @Override
        public JobKind kind() {
            return JobKind.PROVE;
        }

        @Override
        public void run(Job job, JobContext context) throws Exception {
            switch (toThrow) {
                case Exception e -> throw e;
                case Error e -> throw e;
                default -> throw new AssertionError(toThrow);
            }
        }

        @Override
        public void onRequeued(UUID subjectId) {
            events.add("requeued " + subjectId);
        }

        @Override
        public void onFailed(UUID subjectId, String error) {
            events.add("failed " + subjectId + ": " + error);
        }
    }

    private JobWorkers workers(JobHandler handler) {
        WorkerProperties props = new WorkerProperties(true, 1, LEASE, Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofSeconds(15), 2, Duration.ZERO, dir.resolve("cache"), 1);
        return new JobWorkers(jobs, List.of(handler), tx, new JobSignal(), props);
    }

    /** Claims the only queued job and runs it as worker "w". */
    private Job claimAndRun(JobWorkers workers) {
        Job job = jobs.claim("w", LEASE).orElseThrow();
        workers.runOne(job, "w");
        return jobs.find(job.id()).orElseThrow();
    }

    @Test
    void aPermanentFailureFailsTheJobAndTheSubjectWithItsMessage() {
        UUID subject = UUID.randomUUID();
        jobs.enqueue(JobKind.PROVE, subject, 2);
        ThrowingHandler handler = new ThrowingHandler(new JobFailedException("the circuit is not ready"));

        Job after = claimAndRun(workers(handler));

        assertThat(after.status()).isEqualTo(JobStatus.FAILED);
        assertThat(after.lastError()).isEqualTo("the circuit is not ready");
        assertThat(handler.events).containsExactly("failed " + subject + ": the circuit is not ready");
    }

    @Test
    void anUnexpectedFailureIsRetriedThenFailsWithoutShowingTheExceptionToTheUser() {
        UUID subject = UUID.randomUUID();
        jobs.enqueue(JobKind.PROVE, subject, 2);
        ThrowingHandler handler = new ThrowingHandler(
                new IllegalStateException("PreparedStatementCallback; SQL [SELECT secret FROM internals]"));
        JobWorkers workers = workers(handler);

        Job afterFirst = claimAndRun(workers);
        assertThat(afterFirst.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(handler.events).containsExactly("requeued " + subject);

        Job afterLast = claimAndRun(workers);
        assertThat(afterLast.status()).isEqualTo(JobStatus.FAILED);
        assertThat(afterLast.lastError()).as("for operators").contains("SELECT secret FROM internals");
        assertThat(handler.events).hasSize(2).last().asString()
                .startsWith("failed " + subject + ": internal error in attempt 2 of 2")
                .contains(afterLast.id().toString())
                .doesNotContain("secret").doesNotContain("SQL").doesNotContain("Exception");
    }

    @Test
    void anErrorInAHandlerRequeuesTheJobInsteadOfEndingTheWorker() {
        UUID subject = UUID.randomUUID();
        jobs.enqueue(JobKind.PROVE, subject, 2);
        ThrowingHandler handler = new ThrowingHandler(new StackOverflowError());

        Job after = claimAndRun(workers(handler));

        assertThat(after.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(after.leaseOwner()).isNull();
        assertThat(handler.events).containsExactly("requeued " + subject);
    }
}
