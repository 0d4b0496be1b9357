package io.zkml.api.jobs;

import java.time.Instant;
import java.util.UUID;

/**
 * A row of {@code jobs}.
 *
 * @param attempts how many times the job was claimed (this claim included)
 * @param leaseOwner the worker that holds the lease, while running
 * @param createdAt when the job was queued (the queue time of an inference starts here)
 * @param startedAt when the job was first claimed
 * @param requiredConstraints the circuit size the job needs (null: unknown), as the claim returned it
 * @param queueMillis milliseconds from the job's creation to the claim that returned it (database clock)
 */
public record Job(UUID id, JobKind kind, UUID subjectId, JobStatus status, int attempts, int maxAttempts,
                  String leaseOwner, Instant leaseExpiresAt, String lastError, Instant createdAt, Instant startedAt,
                  Long requiredConstraints, long queueMillis) {

    /**
     * A job without the two values a claim returns (issue 9, ADR 0027): {@code requiredConstraints}
     * (the circuit size it needs, null: unknown) and {@code queueMillis} (from its creation to this
     * claim, by the database clock; 0 where not claimed now).
     */
    public Job(UUID id, JobKind kind, UUID subjectId, JobStatus status, int attempts, int maxAttempts,
               String leaseOwner, Instant leaseExpiresAt, String lastError, Instant createdAt, Instant startedAt) {
        this(id, kind, subjectId, status, attempts, maxAttempts, leaseOwner, leaseExpiresAt, lastError, createdAt,
                startedAt, null, 0);
    }
}
