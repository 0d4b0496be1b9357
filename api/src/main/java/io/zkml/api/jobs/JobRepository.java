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

    /** Queues a job (in the caller's transaction, so that it appears with its subject). */
    public UUID enqueue(JobKind kind, UUID subjectId, int maxAttempts) {
        UUID id = UUID.randomUUID();
        jdbc.sql("INSERT INTO jobs (id, kind, subject_id, status, max_attempts) VALUES (?, ?, ?, 'queued', ?)")
                .params(id, kind.dbName(), subjectId, maxAttempts)
                .update();
        return id;
    }

    /**
     * Claims the oldest runnable queued job: marks it running, counts the attempt and gives
     * {@code owner} a lease of {@code lease}. Jobs locked by a concurrent claim are skipped.
     */
    public Optional<Job> claim(String owner, Duration lease) {
        return jdbc.sql("""
                UPDATE jobs j
                   SET status = 'running', attempts = j.attempts + 1, lease_owner = :owner,
                       lease_expires_at = now() + :leaseMs * interval '1 millisecond', heartbeat_at = now(),
                       started_at = coalesce(j.started_at, now()), updated_at = now()
                  FROM (SELECT id FROM jobs
                         WHERE status = 'queued' AND run_after <= now()
                         ORDER BY run_after, created_at
                         LIMIT 1
                         FOR UPDATE SKIP LOCKED) c
                 WHERE j.id = c.id
                RETURNING j.id, j.kind, j.subject_id, j.status, j.attempts, j.max_attempts, j.lease_owner,
                          j.lease_expires_at, j.last_error, j.created_at, j.started_at
                """)
                .param("owner", owner)
                .param("leaseMs", lease.toMillis())
                .query(JobRepository::map)
                .optional();
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

    /** Marks the job succeeded; false if {@code owner} no longer holds the lease. */
    public boolean succeed(UUID id, String owner) {
        return jdbc.sql("""
                UPDATE jobs SET status = 'succeeded', lease_owner = NULL, lease_expires_at = NULL,
                       finished_at = now(), updated_at = now()
                 WHERE id = ? AND status = 'running' AND lease_owner = ?
                """)
                .params(id, owner)
                .update() == 1;
    }

    /** Marks the job failed for good; false if {@code owner} no longer holds the lease. */
    public boolean fail(UUID id, String owner, String error) {
        return jdbc.sql("""
                UPDATE jobs SET status = 'failed', lease_owner = NULL, lease_expires_at = NULL, last_error = ?,
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
                       lease_owner = NULL, lease_expires_at = NULL, last_error = ?, updated_at = now()
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
     * Re-queues every running job whose lease expired (its worker died or hung), or fails it when
     * it used all its attempts. Jobs locked by another transaction are left for the next round.
     */
    public List<ReapedJob> reapExpiredLeases() {
        return jdbc.sql("""
                UPDATE jobs j
                   SET status = CASE WHEN j.attempts >= j.max_attempts THEN 'failed' ELSE 'queued' END,
                       finished_at = CASE WHEN j.attempts >= j.max_attempts THEN now() END,
                       last_error = 'the lease of worker ' || j.lease_owner || ' expired during attempt '
                                    || j.attempts || ' of ' || j.max_attempts,
                       lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
                  FROM (SELECT id FROM jobs
                         WHERE status = 'running' AND lease_expires_at < now()
                         FOR UPDATE SKIP LOCKED) e
                 WHERE j.id = e.id
                RETURNING j.id, j.kind, j.subject_id, j.status, j.last_error
                """)
                .query((rs, n) -> new ReapedJob(rs.getObject("id", UUID.class), JobKind.fromDb(rs.getString("kind")),
                        rs.getObject("subject_id", UUID.class), JobStatus.fromDb(rs.getString("status")),
                        rs.getString("last_error")))
                .list();
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
