package io.zkml.api.jobs;

/** What a running {@link JobHandler} may ask of the worker that runs it. */
public interface JobContext {

    /**
     * Runs {@code subjectUpdate} and marks the job succeeded, in one transaction, if this worker
     * still holds the lease.
     *
     * @throws LeaseLostException if the lease expired and the job went back to the queue; nothing
     *     of {@code subjectUpdate} is committed then
     */
    void complete(Runnable subjectUpdate);

    /**
     * Runs {@code subjectUpdate} in a transaction if this worker still holds the lease (progress:
     * e.g. a circuit going from {@code compiling} to {@code setting_up}).
     *
     * @throws LeaseLostException if the lease is lost
     */
    void progress(Runnable subjectUpdate);

    /**
     * Issue 9 (ADR 0027): the running job's id and its lease owner, for subject updates that check
     * the lease in the same statement ({@link JobRepository#HOLDS_LEASE}) instead of in a
     * transaction of their own ({@link #progress}); null where the context has no lease.
     */
    default java.util.UUID jobId() {
        return null;
    }

    /**
     * Issue 9 (ADR 0027): completes the job with one statement that the handler runs: it must mark
     * job {@link #jobId()} succeeded only while {@link #leaseOwner()} holds it (e.g. a CTE on
     * {@code jobs} with {@link JobRepository#HOLDS_LEASE}'s condition) together with the subject's
     * result, and return whether it did. Same checks before it as {@link #complete}.
     *
     * @throws LeaseLostException if the statement returned false
     * @throws UnsupportedOperationException where the context has no lease ({@link #jobId()} null)
     */
    default void completeInOneStatement(java.util.function.BooleanSupplier statement) {
        throw new UnsupportedOperationException("this context completes through complete(Runnable)");
    }

    /** See {@link #jobId()}. */
    default String leaseOwner() {
        return null;
    }

    /** Milliseconds the job waited in the queue before this claim started it (database clock). */
    long queueMillis();

    /** Reports the prover's time for this job's proof (the {@code zkml_proving_time_seconds} histogram). */
    default void provingTime(long millis) {
    }
}
