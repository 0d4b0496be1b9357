package io.zkml.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
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
 * Workers across processes (issue 9), on a real PostgreSQL: a worker claims only the kinds, sizes
 * and tags it can run (a job nobody can run stays queued instead of failing); a worker process whose
 * announcement expired is dead and its jobs are re-queued at once; a job queued on one connection
 * wakes a listener on another through LISTEN/NOTIFY.
 */
class WorkerRoutingTest {

    private static final Duration LEASE = Duration.ofMinutes(5);

    @TempDir
    static Path dir;

    private static EmbeddedPostgres pg;
    private static HikariDataSource ds;

    private JdbcClient jdbc;
    private JobRepository jobs;

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
        jdbc = JdbcClient.create(ds);
        jobs = new JobRepository(jdbc);
        jdbc.sql("DELETE FROM jobs").update();
        jdbc.sql("DELETE FROM workers").update();
    }

    private static JobRepository.Capabilities caps(Set<JobKind> kinds, Set<String> tags, Long maxConstraints, Long maxMemory) {
        return new JobRepository.Capabilities(kinds, tags, maxConstraints, maxMemory);
    }

    private UUID queue(JobKind kind, Long constraints, Long memory, String... tags) {
        UUID id = jobs.enqueue(kind, UUID.randomUUID(), 3);
        jdbc.sql("UPDATE jobs SET required_constraints = ?, required_memory_mb = ?, required_tags = CAST(? AS text[]) WHERE id = ?")
                .params(constraints, memory, tags, id).update();
        return id;
    }

    @Test
    void aWorkerWithoutAHandlerForAKindLeavesItQueued() {
        UUID prove = queue(JobKind.PROVE, null, null);
        var compileOnly = caps(EnumSet.of(JobKind.COMPILE), Set.of("cpu"), null, null);
        assertThat(jobs.claim("c/1", "c", compileOnly, LEASE)).isEmpty();
        assertThat(jobs.find(prove).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
        var proveOnly = caps(EnumSet.of(JobKind.PROVE), Set.of("cpu"), null, null);
        assertThat(jobs.claim("p/1", "p", proveOnly, LEASE)).map(Job::id).contains(prove);
    }

    @Test
    void aJobLargerThanAWorkersLimitsGoesToAWorkerThatTakesIt() {
        UUID big = queue(JobKind.PROVE, 500_000L, 600L);
        var small = caps(EnumSet.allOf(JobKind.class), Set.of("cpu"), 100_000L, null);
        var lowMemory = caps(EnumSet.allOf(JobKind.class), Set.of("cpu"), null, 512L);
        assertThat(jobs.claim("s/1", "s", small, LEASE)).isEmpty();
        assertThat(jobs.claim("m/1", "m", lowMemory, LEASE)).isEmpty();
        var large = caps(EnumSet.allOf(JobKind.class), Set.of("cpu"), 1_000_000L, 4096L);
        assertThat(jobs.claim("l/1", "l", large, LEASE)).map(Job::id).contains(big);
        assertThat(jdbc.sql("SELECT worker_id FROM jobs WHERE id = ?").param(big).query(String.class).single()).isEqualTo("l");
    }

    @Test
    void aJobThatNeedsAGpuIsLeftToAGpuWorker() {
        UUID gpuJob = queue(JobKind.PROVE, null, null, "gpu");
        UUID anyJob = queue(JobKind.PROVE, null, null);
        var cpu = caps(EnumSet.allOf(JobKind.class), Set.of("cpu"), null, null);
        assertThat(jobs.claim("c/1", "c", cpu, LEASE)).map(Job::id).contains(anyJob);
        assertThat(jobs.claim("c/2", "c", cpu, LEASE)).isEmpty();
        var gpu = caps(EnumSet.allOf(JobKind.class), Set.of("cpu", "gpu"), null, null);
        assertThat(jobs.claim("g/1", "g", gpu, LEASE)).map(Job::id).contains(gpuJob);
    }

    @Test
    void aProveJobRequiresItsCircuitsSizeWhenTheInferenceExists() {
        // no inference with this id: the requirements are unknown (NULL), any worker takes it
        UUID id = jobs.enqueue(JobKind.PROVE, UUID.randomUUID(), 3);
        assertThat(jobs.requiredConstraints(id)).isEmpty();
    }

    @Test
    void theJobsOfAWorkerWhoseAnnouncementExpiredAreRequeuedLongBeforeTheirLease() throws Exception {
        var any = JobRepository.Capabilities.any();
        jobs.announce("dead", "host-a", any, 1, Duration.ofMillis(300));
        jobs.announce("alive", "host-b", any, 2, Duration.ofMinutes(1));
        UUID j1 = queue(JobKind.PROVE, null, null);
        UUID j2 = queue(JobKind.PROVE, null, null);
        assertThat(jobs.claim("dead/t1", "dead", any, LEASE)).map(Job::id).contains(j1);
        assertThat(jobs.claim("alive/t1", "alive", any, LEASE)).map(Job::id).contains(j2);
        assertThat(jobs.liveWorkers()).isEqualTo(2);
        assertThat(jobs.liveWorkerThreads()).isEqualTo(3);

        Thread.sleep(600);
        List<JobRepository.ReapedJob> reaped = jobs.reapExpiredLeases();

        assertThat(reaped).extracting(JobRepository.ReapedJob::id).containsExactly(j1);
        assertThat(reaped.getFirst().status()).isEqualTo(JobStatus.QUEUED);
        assertThat(reaped.getFirst().lastError()).contains("worker dead stopped announcing itself");
        assertThat(jobs.find(j2).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(jobs.liveWorkers()).isEqualTo(1);
        // the dead worker's late result is refused: it no longer holds the lease
        assertThat(jobs.succeed(j1, "dead/t1")).isFalse();
        // a worker that renews its announcement is alive again; a graceful stop ends it at once
        jobs.announce("dead", "host-a", any, 1, Duration.ofMinutes(1));
        assertThat(jobs.liveWorkers()).isEqualTo(2);
        jobs.retire("dead");
        assertThat(jobs.liveWorkers()).isEqualTo(1);
    }

    @Test
    void queueDepthCountsEveryKindAndStatus() {
        queue(JobKind.PROVE, null, null);
        queue(JobKind.PROVE, null, null);
        queue(JobKind.COMPILE, null, null);
        jobs.claim("x/1", "x", JobRepository.Capabilities.any(), LEASE);
        var counts = jobs.activeCounts();
        assertThat(counts.get(JobKind.PROVE).get(JobStatus.QUEUED) + counts.get(JobKind.COMPILE).get(JobStatus.QUEUED))
                .isEqualTo(2);
        assertThat(counts.get(JobKind.PROVE).get(JobStatus.RUNNING) + counts.get(JobKind.COMPILE).get(JobStatus.RUNNING))
                .isEqualTo(1);
    }

    @Test
    void aJobQueuedOnOneConnectionWakesAListenerOnAnotherWhenItCommits() throws Exception {
        JobSignal signal = new JobSignal();
        WorkerProperties props = new WorkerProperties(true, 1, LEASE, Duration.ofSeconds(10), Duration.ofSeconds(1),
                Duration.ofSeconds(15), 2, Duration.ZERO, dir.resolve("cache"), 1);
        JobListener listener = new JobListener(ds, signal, props);
        listener.start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!listener.listening() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(listener.listening()).isTrue();
            long before = signal.generation();
            TransactionTemplate tx = new TransactionTemplate(new JdbcTransactionManager(ds));
            tx.executeWithoutResult(s -> {
                jobs.enqueue(JobKind.PROVE, UUID.randomUUID(), 3);
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                // NOTIFY is delivered on commit, not before
                assertThat(listener.notifications()).isZero();
            });
            // well below the 1 s poll interval the workers would otherwise wait for
            signal.await(before, Duration.ofSeconds(5));
            assertThat(signal.generation()).isGreaterThan(before);
            assertThat(listener.notifications()).isEqualTo(1);
        } finally {
            listener.stop();
        }
    }
}
