package io.zkml.api.jobs;

import java.util.UUID;

/**
 * Does the work of one {@link JobKind}. A handler must be idempotent: a job whose worker died is
 * run again from the start by another worker.
 */
public interface JobHandler {

    JobKind kind();

    /**
     * Runs the job. Store the result through {@link JobContext#complete(Runnable)} so that the
     * subject's update and the job's completion commit together, only while the lease is held.
     *
     * @throws JobFailedException for a failure that no retry can fix
     * @throws Exception anything else: the job is retried while attempts remain
     */
    void run(Job job, JobContext context) throws Exception;

    /** Called, in the transaction that re-queues the job, when an attempt was lost or failed transiently. */
    void onRequeued(UUID subjectId);

    /** Called, in the transaction that fails the job, with the error to show the user. */
    void onFailed(UUID subjectId, String error);
}
