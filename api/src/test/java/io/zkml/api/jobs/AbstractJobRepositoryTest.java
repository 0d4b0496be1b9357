package io.zkml.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The job queue's checks, run against whichever PostgreSQL a subclass provides: the embedded server
 * ({@link JobRepositoryTest}) or a {@code postgres:18} container ({@link PostgresContainerJobRepositoryTest}).
 * The subclass applies the real Flyway migrations ({@code db/migrations}) to it.
 */
abstract class AbstractJobRepositoryTest {

    private static final Duration LEASE = Duration.ofMinutes(5);

    private DataSource ds;
    private JdbcClient jdbc;
    private JobRepository jobs;

    /** A pooled data source (at least 3 connections) on a database the migrations have been applied to. */
    protected abstract DataSource migratedDataSource();

    @BeforeEach
    void emptyQueue() {
        ds = migratedDataSource();
        jdbc = JdbcClient.create(ds);
        jobs = new JobRepository(jdbc);
        jdbc.sql("DELETE FROM jobs").update();
    }

    @Test
    void everyMigrationIsApplied() {
        var info = Flyway.configure().dataSource(ds).locations("classpath:db/migrations").load().info();
        assertThat(info.all()).isNotEmpty();
        assertThat(info.pending()).isEmpty();
        assertThat(info.applied()).hasSameSizeAs(info.all())
                .allSatisfy(m -> assertThat(m.getState().isFailed()).isFalse());
    }

    @Test
    void twoWorkersClaimingConcurrentlyNeverGetTheSameJob() throws Exception {
        int n = 60;
        Set<UUID> queued = new HashSet<>();
        for (int i = 0; i < n; i++) {
            queued.add(jobs.enqueue(JobKind.PROVE, UUID.randomUUID(), 3));
        }
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<UUID>>> results = new ArrayList<>();
            for (String worker : List.of("worker-a", "worker-b")) {
                Callable<List<UUID>> claimAll = () -> {
                    start.await();
                    List<UUID> mine = new ArrayList<>();
                    Optional<Job> j;
                    while ((j = jobs.claim(worker, LEASE)).isPresent()) {
                        assertThat(j.get().leaseOwner()).isEqualTo(worker);
                        mine.add(j.get().id());
                    }
                    return mine;
                };
                results.add(pool.submit(claimAll));
            }
            start.countDown();
            List<UUID> all = new ArrayList<>();
            for (Future<List<UUID>> f : results) {
                all.addAll(f.get());
            }
            assertThat(all).doesNotHaveDuplicates().hasSize(n);
            assertThat(new HashSet<>(all)).isEqualTo(queued);
        } finally {
            pool.shutdownNow();
        }
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE status = 'running' AND attempts = 1").query(Integer.class).single())
                .isEqualTo(n);
    }

    @Test
    void aLockedJobIsSkippedNotWaitedFor() {
        UUID first = jobs.enqueue(JobKind.COMPILE, UUID.randomUUID(), 3);
        UUID second = jobs.enqueue(JobKind.COMPILE, UUID.randomUUID(), 3);
        jdbc.sql("UPDATE jobs SET created_at = now() - interval '1 minute' WHERE id = ?").param(first).update();
        // Another transaction holds the row lock of the oldest job, as a concurrent claim would.
        try (var c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (var st = c.prepareStatement("SELECT id FROM jobs WHERE id = ? FOR UPDATE")) {
                st.setObject(1, first);
                st.executeQuery();
            }
            Optional<Job> claimed = jobs.claim("worker-a", LEASE);
            assertThat(claimed).map(Job::id).contains(second);
            c.rollback();
        } catch (java.sql.SQLException e) {
            throw new RuntimeException(e);
        }
        assertThat(jobs.claim("worker-a", LEASE)).map(Job::id).contains(first);
    }

    @Test
    void anExpiredLeaseIsRequeuedAndTheDeadWorkerCanNoLongerFinishTheJob() {
        UUID id = jobs.enqueue(JobKind.COMPILE, UUID.randomUUID(), 3);
        Job claimed = jobs.claim("dead-worker", LEASE).orElseThrow();
        assertThat(claimed.attempts()).isEqualTo(1);
        assertThat(jobs.reapExpiredLeases()).isEmpty();

        expireLease(id);
        List<JobRepository.ReapedJob> reaped = jobs.reapExpiredLeases();
        assertThat(reaped).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo(id);
            assertThat(r.status()).isEqualTo(JobStatus.QUEUED);
            assertThat(r.lastError()).contains("dead-worker").contains("attempt 1 of 3");
        });
        Job requeued = jobs.find(id).orElseThrow();
        assertThat(requeued.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(requeued.leaseOwner()).isNull();

        assertThat(jobs.heartbeat(id, "dead-worker", LEASE)).isFalse();
        assertThat(jobs.succeed(id, "dead-worker")).isFalse();

        Job again = jobs.claim("live-worker", LEASE).orElseThrow();
        assertThat(again.id()).isEqualTo(id);
        assertThat(again.attempts()).isEqualTo(2);
        assertThat(jobs.heartbeat(id, "live-worker", LEASE)).isTrue();
        assertThat(jobs.succeed(id, "dead-worker")).isFalse();
        assertThat(jobs.succeed(id, "live-worker")).isTrue();
        assertThat(jobs.find(id).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void aJobWhoseLeaseExpiresOnItsLastAttemptFails() {
        UUID id = jobs.enqueue(JobKind.PROVE, UUID.randomUUID(), 2);
        for (int attempt = 1; attempt <= 2; attempt++) {
            assertThat(jobs.claim("w", LEASE).orElseThrow().attempts()).isEqualTo(attempt);
            expireLease(id);
            jobs.reapExpiredLeases();
        }
        Job failed = jobs.find(id).orElseThrow();
        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.lastError()).contains("attempt 2 of 2");
        assertThat(jobs.claim("w", LEASE)).isEmpty();
    }

    @Test
    void aTransientFailureRetriesUntilTheAttemptsAreUsedUp() {
        UUID id = jobs.enqueue(JobKind.PROVE, UUID.randomUUID(), 2);
        jobs.claim("w", LEASE).orElseThrow();
        assertThat(jobs.retryOrFail(id, "w", "boom", Duration.ZERO)).contains(JobStatus.QUEUED);
        assertThat(jobs.retryOrFail(id, "w", "boom", Duration.ZERO)).isEmpty();
        jobs.claim("w", LEASE).orElseThrow();
        assertThat(jobs.retryOrFail(id, "w", "boom again", Duration.ZERO)).contains(JobStatus.FAILED);
        assertThat(jobs.find(id).orElseThrow().lastError()).isEqualTo("boom again");
    }

    @Test
    void aJobWaitingForItsRetryBackoffIsNotClaimed() {
        UUID id = jobs.enqueue(JobKind.PROVE, UUID.randomUUID(), 3);
        jobs.claim("w", LEASE).orElseThrow();
        assertThat(jobs.retryOrFail(id, "w", "later", Duration.ofHours(1))).contains(JobStatus.QUEUED);
        assertThat(jobs.claim("w", LEASE)).isEmpty();
    }

    private void expireLease(UUID id) {
        // What time does to the lease of a worker that stopped sending heartbeats.
        jdbc.sql("UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE id = ?").param(id).update();
    }

}
