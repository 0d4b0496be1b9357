package io.zkml.api.jobs;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The job queue on PostgreSQL. Claims use {@code FOR UPDATE SKIP LOCKED}, so any number of workers
 * in any number of processes can claim concurrently and never get the same job. Every state change
 * of a running job is guarded by its lease owner: a worker whose lease expired can no longer
 * complete or fail the job. All times come from the database clock.
 */
@Repository
public class JobRepository {

    private static final String COLUMNS = "id, kind, subject_id, status, attempts, max_attempts, lease_owner, "
            + "lease_expires_at, last_error, created_at, started_at";

    private final JdbcClient jdbc;

    public JobRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The PostgreSQL channel a NOTIFY is sent on when a job is queued (payload: its kind). */
    public static final String CHANNEL = "zkml_jobs";

    /**
     * Queues a job (in the caller's transaction, so that it appears with its subject) with the
     * requirements its subject implies: a prove job needs the circuit's size (its constraints, and
     * an estimate of the memory that takes: 64 MiB plus 1 KiB per constraint); a compile job's size
     * is not known before it ran. Sends a NOTIFY on {@value #CHANNEL}, which PostgreSQL delivers to
     * the listening workers of every process when the transaction commits.
     */
    public UUID enqueue(JobKind kind, UUID subjectId, int maxAttempts) {
        UUID id = UUID.randomUUID();
        // issue 9 (ADR 0027): the NOTIFY is part of the INSERT (one round trip, not two)
        if (kind == JobKind.PROVE) {
            jdbc.sql("""
                    INSERT INTO jobs (id, kind, subject_id, status, max_attempts, required_constraints, required_memory_mb,
                                      required_tags)
                    SELECT :id, :kind, :subject, 'queued', :max, c.constraints, 64 + c.constraints / 1024,
                           COALESCE(c.worker_tags, '{}')
                      FROM (SELECT pg_notify(:channel, :kind)) notified
                      LEFT JOIN inferences i ON i.id = :subject
                      LEFT JOIN circuits c ON c.id = i.circuit_id
                    """)
                    .param("id", id).param("kind", kind.dbName()).param("subject", subjectId).param("max", maxAttempts)
                    .param("channel", CHANNEL)
                    .update();
        } else {
            jdbc.sql("""
                    INSERT INTO jobs (id, kind, subject_id, status, max_attempts)
                    SELECT :id, :kind, :subject, 'queued', :max FROM (SELECT pg_notify(:channel, :kind)) notified
                    """)
                    .param("id", id).param("kind", kind.dbName()).param("subject", subjectId).param("max", maxAttempts)
                    .param("channel", CHANNEL)
                    .update();
        }
        return id;
    }

    /**
     * What a worker process can run: the job kinds it has handlers for, its capability tags, and
     * the largest circuit (constraints) and memory (MiB) it takes; null means no limit.
     */
    public record Capabilities(java.util.Set<JobKind> kinds, java.util.Set<String> tags, Long maxConstraints,
                               Long maxMemoryMb) {
        public Capabilities {
            kinds = java.util.Set.copyOf(kinds);
            tags = java.util.Set.copyOf(tags);
        }

        /** Every kind, no tags, no limits (tests and single-process setups). */
        public static Capabilities any() {
            return new Capabilities(java.util.EnumSet.allOf(JobKind.class), java.util.Set.of(), null, null);
        }

        String[] kindArray() {
            return kinds.stream().map(JobKind::dbName).sorted().toArray(String[]::new);
        }

        String[] tagArray() {
            return tags.stream().sorted().toArray(String[]::new);
        }
    }

    /**
     * Claims the oldest runnable queued job of any kind with no limits (a worker with
     * {@link Capabilities#any()} and no announcement).
     */
    public Optional<Job> claim(String owner, Duration lease) {
        return claim(owner, null, Capabilities.any(), lease);
    }

    /**
     * Claims the oldest runnable queued job that {@code caps} can run: of a kind it has a handler
     * for, no larger (constraints, memory) than its limits, needing no tag it lacks. Marks it
     * running, counts the attempt and gives {@code owner} (a thread of worker process
     * {@code workerId}) a lease of {@code lease}. Jobs locked by a concurrent claim are skipped;
     * jobs no worker can run stay queued (and show in the queue depth).
     */
    public Optional<Job> claim(String owner, String workerId, Capabilities caps, Duration lease) {
        // issue 9 (ADR 0027): one statement claims the job, returns what the worker needs (the size it
        // requires, its time in the queue) and moves a prove job's inference to proving/loading with
        // its attempt: no further round trips before the handler runs
        return jdbc.sql("""
                WITH claimed AS (
                    UPDATE jobs j
                       SET status = 'running', attempts = j.attempts + 1, lease_owner = :owner, worker_id = :worker,
                           lease_expires_at = now() + :leaseMs * interval '1 millisecond', heartbeat_at = now(),
                           started_at = coalesce(j.started_at, now()), updated_at = now()
                      FROM (SELECT id FROM jobs
                             WHERE status = 'queued' AND run_after <= now()
                               AND kind = ANY (:kinds)
                               AND (required_constraints IS NULL OR CAST(:maxConstraints AS bigint) IS NULL
                                    OR required_constraints <= CAST(:maxConstraints AS bigint))
                               AND (required_memory_mb IS NULL OR CAST(:maxMemory AS bigint) IS NULL
                                    OR required_memory_mb <= CAST(:maxMemory AS bigint))
                               AND required_tags <@ CAST(:tags AS text[])
                             ORDER BY run_after, created_at
                             LIMIT 1
                             FOR UPDATE SKIP LOCKED) c
                     WHERE j.id = c.id
                    RETURNING j.id, j.kind, j.subject_id, j.status, j.attempts, j.max_attempts, j.lease_owner,
                              j.lease_expires_at, j.last_error, j.created_at, j.started_at, j.required_constraints,
                              (extract(epoch FROM (now() - j.created_at)) * 1000)::bigint AS queue_ms
                ), subject AS (
                    UPDATE inferences i
                       SET status = 'proving', phase = 'loading', started_at = now(), updated_at = now(),
                           attempt = claimed.attempts
                      FROM claimed
                     WHERE claimed.kind = 'prove' AND i.id = claimed.subject_id AND i.status IN ('queued', 'proving')
                    RETURNING i.id
                )
                SELECT * FROM claimed
                """)
                .param("owner", owner)
                .param("worker", workerId)
                .param("kinds", caps.kindArray())
                .param("maxConstraints", caps.maxConstraints(), java.sql.Types.BIGINT)
                .param("maxMemory", caps.maxMemoryMb(), java.sql.Types.BIGINT)
                .param("tags", caps.tagArray())
                .param("leaseMs", lease.toMillis())
                .query((rs, n) -> {
                    Job j = map(rs, n);
                    return new Job(j.id(), j.kind(), j.subjectId(), j.status(), j.attempts(), j.maxAttempts(),
                            j.leaseOwner(), j.leaseExpiresAt(), j.lastError(), j.createdAt(), j.startedAt(),
                            (Long) rs.getObject("required_constraints", Long.class), rs.getLong("queue_ms"));
                })
                .optional();
    }

    /** The size a job needs (null: unknown), as stored with it. */
    public Optional<Long> requiredConstraints(UUID id) {
        return jdbc.sql("SELECT required_constraints FROM jobs WHERE id = ?").param(id)
                .query((rs, n) -> (Long) rs.getObject(1, Long.class)).optional();
    }

    /** Extends the lease; false if {@code owner} no longer holds it. */
    public boolean heartbeat(UUID id, String owner, Duration lease) {
        return jdbc.sql("""
                UPDATE jobs SET lease_expires_at = now() + ? * interval '1 millisecond', heartbeat_at = now(), updated_at = now()
                 WHERE id = ? AND status = 'running' AND lease_owner = ?
                """)
                .params(lease.toMillis(), id, owner)
                .update() == 1;
    }

    /** Whether {@code owner} holds the lease now (locks the row until the transaction ends). */
    public boolean holdsLease(UUID id, String owner) {
        return jdbc.sql("SELECT 1 FROM jobs WHERE id = ? AND status = 'running' AND lease_owner = ? FOR UPDATE")
                .params(id, owner)
                .query(Integer.class)
                .optional()
                .isPresent();
    }

    /**
     * Issue 9 (ADR 0027): the SQL condition "job {@code :leaseJob} is running under lease owner
     * {@code :leaseOwner}", for a subject update that must happen only while the lease is held, in
     * one statement (no transaction, no {@code SELECT … FOR UPDATE} first).
     */
    /**
     * Issue 9 (ADR 0027): a CTE named {@code done} that marks job {@code :leaseJob} succeeded if
     * {@code :leaseOwner} holds its lease (as {@link #succeed}), for a statement that records the
     * subject's result in the same statement ({@code … FROM done WHERE …}).
     */
    public static final String SUCCEED_CTE = """
            WITH done AS (
                UPDATE jobs SET status = 'succeeded', lease_owner = NULL, lease_expires_at = NULL, worker_id = NULL,
                       finished_at = now(), updated_at = now()
                 WHERE id = :leaseJob AND status = 'running' AND lease_owner = :leaseOwner
                RETURNING id
            )
            """;

    public static final String HOLDS_LEASE = "EXISTS (SELECT 1 FROM jobs WHERE id = :leaseJob AND status = 'running'"
            + " AND lease_owner = :leaseOwner)";

    /** Marks the job succeeded; false if {@code owner} no longer holds the lease. */
    public boolean succeed(UUID id, String owner) {
        return jdbc.sql("""
                UPDATE jobs SET status = 'succeeded', lease_owner = NULL, lease_expires_at = NULL, worker_id = NULL,
                       finished_at = now(), updated_at = now()
                 WHERE id = ? AND status = 'running' AND lease_owner = ?
                """)
                .params(id, owner)
                .update() == 1;
    }

    /** Marks the job failed for good; false if {@code owner} no longer holds the lease. */
    public boolean fail(UUID id, String owner, String error) {
        return jdbc.sql("""
                UPDATE jobs SET status = 'failed', lease_owner = NULL, lease_expires_at = NULL, worker_id = NULL, last_error = ?,
                       finished_at = now(), updated_at = now()
                 WHERE id = ? AND status = 'running' AND lease_owner = ?
                """)
                .params(error, id, owner)
                .update() == 1;
    }

    /**
     * After a transient failure: back to the queue (runnable after {@code backoff}) if attempts
     * remain, else failed.
     *
     * @return the new status, or empty if {@code owner} no longer holds the lease
     */
    public Optional<JobStatus> retryOrFail(UUID id, String owner, String error, Duration backoff) {
        return jdbc.sql("""
                UPDATE jobs
                   SET status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
                       finished_at = CASE WHEN attempts >= max_attempts THEN now() END,
                       run_after = now() + ? * interval '1 millisecond',
                       lease_owner = NULL, lease_expires_at = NULL, worker_id = NULL, last_error = ?, updated_at = now()
                 WHERE id = ? AND status = 'running' AND lease_owner = ?
                RETURNING status
                """)
                .params(backoff.toMillis(), error, id, owner)
                .query((rs, n) -> JobStatus.fromDb(rs.getString(1)))
                .optional();
    }

    /** A job whose lease expired, after the reaper dealt with it. */
    public record ReapedJob(UUID id, JobKind kind, UUID subjectId, JobStatus status, String lastError) {
    }

    /**
     * Re-queues every running job whose lease expired (its worker died or hung) or whose worker
     * process stopped renewing its announcement in {@code workers} (seen within seconds, long
     * before the job's own lease runs out), or fails it when it used all its attempts. Jobs locked by another transaction are left for the next round.
     */
    public List<ReapedJob> reapExpiredLeases() {
        return jdbc.sql("""
                UPDATE jobs j
                   SET status = CASE WHEN j.attempts >= j.max_attempts THEN 'failed' ELSE 'queued' END,
                       finished_at = CASE WHEN j.attempts >= j.max_attempts THEN now() END,
                       last_error = CASE WHEN j.lease_expires_at < now()
                                         THEN 'the lease of worker ' || j.lease_owner || ' expired'
                                         ELSE 'worker ' || j.worker_id || ' stopped announcing itself (presumed dead)'
                                    END || ' during attempt ' || j.attempts || ' of ' || j.max_attempts,
                       lease_owner = NULL, lease_expires_at = NULL, worker_id = NULL, updated_at = now()
                  FROM (SELECT id FROM jobs
                         WHERE status = 'running'
                           AND (lease_expires_at < now()
                                OR worker_id IN (SELECT id FROM workers WHERE expires_at < now()))
                         FOR UPDATE SKIP LOCKED) e
                 WHERE j.id = e.id
                RETURNING j.id, j.kind, j.subject_id, j.status, j.last_error
                """)
                .query((rs, n) -> new ReapedJob(rs.getObject("id", UUID.class), JobKind.fromDb(rs.getString("kind")),
                        rs.getObject("subject_id", UUID.class), JobStatus.fromDb(rs.getString("status")),
                        rs.getString("last_error")))
                .list();
    }

    /**
     * Announces worker process {@code workerId} (or renews its announcement) for {@code ttl}: what it
     * can run, on which host, with how many threads.
     */
    public void announce(String workerId, String host, Capabilities caps, int threads, Duration ttl) {
        jdbc.sql("""
                INSERT INTO workers (id, host, tags, kinds, max_constraints, max_memory_mb, threads, expires_at)
                VALUES (:id, :host, CAST(:tags AS text[]), CAST(:kinds AS text[]), :maxC, :maxM, :threads,
                        now() + :ttlMs * interval '1 millisecond')
                ON CONFLICT (id) DO UPDATE
                   SET heartbeat_at = now(), expires_at = EXCLUDED.expires_at, stopped_at = NULL
                """)
                .param("id", workerId).param("host", host).param("tags", caps.tagArray()).param("kinds", caps.kindArray())
                .param("maxC", caps.maxConstraints(), java.sql.Types.BIGINT)
                .param("maxM", caps.maxMemoryMb(), java.sql.Types.BIGINT)
                .param("threads", threads).param("ttlMs", ttl.toMillis())
                .update();
    }

    /** A graceful stop: the announcement ends now (its remaining jobs, if any, are re-queued by the reaper). */
    public void retire(String workerId) {
        jdbc.sql("UPDATE workers SET stopped_at = now(), expires_at = now() WHERE id = ?").param(workerId).update();
    }

    /** Forgets workers whose announcement ended more than {@code keep} ago. */
    public int forgetWorkers(Duration keep) {
        return jdbc.sql("DELETE FROM workers WHERE expires_at < now() - ? * interval '1 millisecond'")
                .param(keep.toMillis()).update();
    }

    /** Worker processes whose announcement is current. */
    public long liveWorkers() {
        return jdbc.sql("SELECT count(*) FROM workers WHERE expires_at >= now()").query(Long.class).single();
    }

    /** Worker threads of the live worker processes. */
    public long liveWorkerThreads() {
        return jdbc.sql("SELECT coalesce(sum(threads), 0) FROM workers WHERE expires_at >= now()")
                .query(Long.class).single();
    }

    /** Jobs by kind and status, for every kind and the statuses queued and running (zeros included). */
    public java.util.Map<JobKind, java.util.Map<JobStatus, Long>> activeCounts() {
        java.util.Map<JobKind, java.util.Map<JobStatus, Long>> counts = new java.util.EnumMap<>(JobKind.class);
        for (JobKind k : JobKind.values()) {
            java.util.Map<JobStatus, Long> m = new java.util.EnumMap<>(JobStatus.class);
            m.put(JobStatus.QUEUED, 0L);
            m.put(JobStatus.RUNNING, 0L);
            counts.put(k, m);
        }
        jdbc.sql("SELECT kind, status, count(*) FROM jobs WHERE status IN ('queued', 'running') GROUP BY kind, status")
                .query(rs -> {
                    counts.get(JobKind.fromDb(rs.getString(1))).put(JobStatus.fromDb(rs.getString(2)), rs.getLong(3));
                });
        return counts;
    }

    public Optional<Job> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs WHERE id = ?").param(id).query(JobRepository::map).optional();
    }

    /** The latest job of a subject (a circuit or an inference). */
    public Optional<Job> findLatestBySubject(UUID subjectId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs WHERE subject_id = ? ORDER BY created_at DESC LIMIT 1")
                .param(subjectId).query(JobRepository::map).optional();
    }

    /** Milliseconds from the job's creation to its latest claim, by the database clock. */
    public long millisSinceCreated(UUID id) {
        return jdbc.sql("SELECT (extract(epoch FROM (now() - created_at)) * 1000)::bigint FROM jobs WHERE id = ?")
                .param(id).query(Long.class).single();
    }

    private static Job map(ResultSet rs, int rowNum) throws SQLException {
        return new Job(rs.getObject("id", UUID.class), JobKind.fromDb(rs.getString("kind")),
                rs.getObject("subject_id", UUID.class), JobStatus.fromDb(rs.getString("status")),
                rs.getInt("attempts"), rs.getInt("max_attempts"), rs.getString("lease_owner"),
                instant(rs.getTimestamp("lease_expires_at")), rs.getString("last_error"),
                instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("started_at")));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
