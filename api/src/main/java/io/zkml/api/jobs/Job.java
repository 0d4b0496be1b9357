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
 */
public record Job(UUID id, JobKind kind, UUID subjectId, JobStatus status, int attempts, int maxAttempts,
                  String leaseOwner, Instant leaseExpiresAt, String lastError, Instant createdAt, Instant startedAt) {
}
