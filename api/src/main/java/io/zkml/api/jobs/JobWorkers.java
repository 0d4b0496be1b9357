package io.zkml.api.jobs;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The worker threads of this process: each claims a job, runs its {@link JobHandler}, and records
 * the outcome; a scheduler extends the leases of running jobs (heartbeats) and re-queues jobs whose
 * lease expired anywhere (the reaper). The process announces itself in {@code workers} (what it can
 * run, renewed every {@code announce-interval}); jobs of a process whose announcement expired are
 * re-queued by the reaper of any other. Threads claim only jobs this process can run
 * ({@link JobRepository.Capabilities}). Started and stopped with the application context.
 */
public class JobWorkers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobWorkers.class);

    private final JobRepository jobs;
    private final Map<JobKind, JobHandler> handlers = new EnumMap<>(JobKind.class);
    private final TransactionTemplate tx;
    private final JobSignal signal;
    private final WorkerProperties props;
    private final String processId;
    private final JobRepository.Capabilities capabilities;
    private final JobMetrics metrics;
    /** Running jobs of this process: job id → lease owner. */
    private final Map<UUID, RunningJob> running = new ConcurrentHashMap<>();
    private final AtomicBoolean active = new AtomicBoolean();
    private ExecutorService workers;
    private ScheduledExecutorService scheduler;

    private record RunningJob(String owner, AtomicBoolean leaseLost) {
    }

    public JobWorkers(JobRepository jobs, List<JobHandler> handlers, TransactionTemplate tx, JobSignal signal,
                      WorkerProperties props) {
        this(jobs, handlers, tx, signal, props, new JobMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), jobs));
    }

    public JobWorkers(JobRepository jobs, List<JobHandler> handlers, TransactionTemplate tx, JobSignal signal,
                      WorkerProperties props, JobMetrics metrics) {
        this.jobs = jobs;
        this.metrics = metrics;
        for (JobHandler h : handlers) {
            if (this.handlers.put(h.kind(), h) != null) {
                throw new IllegalStateException("two handlers for job kind " + h.kind());
            }
        }
        this.tx = tx;
        this.signal = signal;
        this.props = props;
        this.processId = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.capabilities = props.capabilities(this.handlers.isEmpty() ? java.util.Set.of() : this.handlers.keySet());
    }

    @Override
    public void start() {
        if (!active.compareAndSet(false, true)) {
            return;
        }
        announceQuietly();
        workers = Executors.newFixedThreadPool(props.threads(), Thread.ofPlatform().name("zkml-worker-", 1).factory());
        for (int i = 0; i < props.threads(); i++) {
            workers.submit(this::loop);
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("zkml-lease-keeper").daemon().factory());
        scheduler.scheduleWithFixedDelay(this::heartbeats, props.heartbeatInterval().toMillis(),
                props.heartbeatInterval().toMillis(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::reapQuietly, 0, props.reaperInterval().toMillis(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::announceQuietly, props.announceInterval().toMillis(),
                props.announceInterval().toMillis(), TimeUnit.MILLISECONDS);
        log.info("{} job worker thread(s) started ({}), lease {}, announcement {}, handlers {}, tags {}, "
                        + "max constraints {}, max memory {} MiB", props.threads(), processId, props.lease(),
                props.announceLease(), handlers.keySet(), capabilities.tags(),
                props.maxConstraints() == null ? "any" : props.maxConstraints(),
                props.maxMemoryMb() == null ? "any" : props.maxMemoryMb());
    }

    @Override
    public void stop() {
        if (!active.compareAndSet(true, false)) {
            return;
        }
        signal.signal();
        workers.shutdownNow();
        scheduler.shutdownNow();
        try {
            if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("job workers did not stop within 30 s; their leases will expire and the jobs be re-queued");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Ends the announcement now: the reaper of any other process re-queues what is left at once.
        try {
            jobs.retire(processId);
        } catch (RuntimeException e) {
            log.warn("could not end this worker's announcement ({}); it expires in {}", e.getMessage(),
                    props.announceLease());
        }
    }

    /** This worker process's id in {@code workers} (the prefix of its lease owners). */
    public String processId() {
        return processId;
    }

    @Override
    public boolean isRunning() {
        return active.get();
    }

    /** Stop the workers before the data source and the native handles go away. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1024;
    }

    private void loop() {
        String owner = processId + "/" + Thread.currentThread().getName();
        while (active.get() && !Thread.currentThread().isInterrupted()) {
            try {
                long seen = signal.generation();
                Optional<Job> job = jobs.claim(owner, processId, capabilities, props.lease());
                if (job.isPresent()) {
                    runOne(job.get(), owner);
                } else {
                    signal.await(seen, props.pollInterval());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                if (!active.get()) {
                    break;
                }
                log.error("job worker {}: unexpected error, pausing before the next claim", owner, e);
                try {
                    Thread.sleep(props.pollInterval());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Runs one claimed job and records its outcome. Package-private for tests. */
    void runOne(Job job, String owner) {
        JobHandler handler = handlers.get(job.kind());
        RunningJob rj = new RunningJob(owner, new AtomicBoolean());
        long started = System.nanoTime();
        long queueMillis = 0;
        Long constraints = null;
        log.info("job {} ({} of {}) attempt {}/{} claimed by {}", job.id(), job.kind().dbName(), job.subjectId(),
                job.attempts(), job.maxAttempts(), owner);
        // From here on every way out goes through the finally below: a job left in `running` would
        // have its lease renewed by the heartbeats for ever and never be re-queued.
        running.put(job.id(), rj);
        try {
            if (handler == null) {
                // claims are filtered by kind: only a job claimed through the old claim() gets here
                throw new JobFailedException("this worker has no handler for jobs of kind " + job.kind().dbName());
            }
            // issue 9 (ADR 0027): the claim returned both (no round trips here)
            constraints = job.requiredConstraints();
            queueMillis = job.queueMillis();
            handler.run(job, new Context(job, rj, queueMillis, constraints));
            log.info("job {} ({}) succeeded", job.id(), job.kind().dbName());
            metrics.jobFinished(job.kind(), "succeeded", constraints, latency(queueMillis, started));
        } catch (LeaseLostException e) {
            metrics.failure(job.kind(), JobMetrics.FailureReason.LEASE_LOST);
            log.warn("job {}: {}; its result is discarded (another worker runs it)", job.id(), e.getMessage());
        } catch (JobFailedException e) {
            metrics.failure(job.kind(), JobMetrics.FailureReason.PERMANENT);
            log.info("job {} ({}) failed: {}", job.id(), job.kind().dbName(), e.getMessage());
            boolean done = Boolean.TRUE.equals(tx.execute(s -> {
                if (!jobs.fail(job.id(), owner, e.getMessage())) {
                    return false;
                }
                handler.onFailed(job.subjectId(), e.getMessage());
                return true;
            }));
            if (!done) {
                log.warn("job {}: lease lost before its failure could be recorded", job.id());
            } else {
                metrics.jobFinished(job.kind(), "failed", constraints, latency(queueMillis, started));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("job {} interrupted (shutdown); its lease will expire and it will be re-queued", job.id());
        } catch (Exception | Error e) {
            // An Error too (OutOfMemoryError, StackOverflowError...): let through, it would end this
            // worker's loop silently (the executor keeps it in a Future nobody reads).
            metrics.failure(job.kind(), JobMetrics.FailureReason.TRANSIENT);
            if (transientFailure(job, owner, handler, e) == JobStatus.FAILED) {
                metrics.jobFinished(job.kind(), "failed", constraints, latency(queueMillis, started));
            }
        } finally {
            running.remove(job.id());
        }
    }

    /**
     * Records an unexpected failure: the job's {@code last_error} (for operators) gets the exception,
     * the subject's {@code error} (shown to API users) only a pointer to the log, never an exception's
     * class or message.
     */
    private JobStatus transientFailure(Job job, String owner, JobHandler handler, Throwable e) {
        String message = "internal error: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
        String userMessage = "internal error in attempt " + job.attempts() + " of " + job.maxAttempts()
                + "; the service log has the details under job " + job.id();
        log.error("job {} ({}) attempt {}/{} failed", job.id(), job.kind().dbName(), job.attempts(), job.maxAttempts(), e);
        Optional<JobStatus> status = tx.execute(s -> {
            // exponential backoff: retry-backoff, then twice that, ... (at most 64 times)
            Duration backoff = props.retryBackoff().multipliedBy(1L << Math.min(Math.max(job.attempts() - 1, 0), 6));
            Optional<JobStatus> st = jobs.retryOrFail(job.id(), owner, message, backoff);
            st.ifPresent(value -> {
                if (handler != null && value == JobStatus.FAILED) {
                    handler.onFailed(job.subjectId(), userMessage);
                } else if (handler != null) {
                    handler.onRequeued(job.subjectId());
                }
            });
            return st;
        });
        if (status != null && status.isPresent()) {
            log.info("job {} is now {}", job.id(), status.get().dbName());
            return status.get();
        }
        return null;
    }

    private static Duration latency(long queueMillis, long startedNanos) {
        return Duration.ofMillis(queueMillis).plusNanos(System.nanoTime() - startedNanos);
    }

    private void announceQuietly() {
        try {
            jobs.announce(processId, host(), capabilities, props.threads(), props.announceLease());
        } catch (RuntimeException e) {
            log.warn("worker announcement failed: {}", e.getMessage());
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private void heartbeats() {
        for (Map.Entry<UUID, RunningJob> e : running.entrySet()) {
            try {
                if (!jobs.heartbeat(e.getKey(), e.getValue().owner(), props.lease())) {
                    e.getValue().leaseLost().set(true);
                    log.warn("job {}: lease lost (expired and re-queued)", e.getKey());
                }
            } catch (RuntimeException ex) {
                log.warn("job {}: heartbeat failed: {}", e.getKey(), ex.getMessage());
            }
        }
    }

    private void reapQuietly() {
        try {
            reap();
        } catch (RuntimeException e) {
            log.warn("lease reaper failed: {}", e.getMessage());
        }
    }

    /** Re-queues (or fails) jobs with expired leases and updates their subjects, in one transaction. */
    public List<JobRepository.ReapedJob> reap() {
        List<JobRepository.ReapedJob> reaped = tx.execute(s -> {
            List<JobRepository.ReapedJob> list = jobs.reapExpiredLeases();
            for (JobRepository.ReapedJob r : list) {
                JobHandler h = handlers.get(r.kind());
                if (h == null) {
                    continue;
                }
                if (r.status() == JobStatus.FAILED) {
                    h.onFailed(r.subjectId(), "gave up after the last attempt: " + r.lastError());
                } else {
                    h.onRequeued(r.subjectId());
                }
            }
            return list;
        });
        for (JobRepository.ReapedJob r : reaped) {
            metrics.failure(r.kind(), JobMetrics.FailureReason.REAPED);
            log.warn("job {} ({}): {}; now {}", r.id(), r.kind().dbName(), r.lastError(), r.status().dbName());
        }
        if (!reaped.isEmpty()) {
            signal.signal();
        }
        return reaped;
    }

    private final class Context implements JobContext {
        private final Job job;
        private final RunningJob rj;
        private final long queueMillis;
        private final Long constraints;

        Context(Job job, RunningJob rj, long queueMillis, Long constraints) {
            this.job = job;
            this.rj = rj;
            this.queueMillis = queueMillis;
            this.constraints = constraints;
        }

        @Override
        public void complete(Runnable subjectUpdate) {
            holdForFaultTests();
            if (rj.leaseLost().get()) {
                throw new LeaseLostException("lease of job " + job.id() + " lost");
            }
            // issue 9 (ADR 0027): the guarded UPDATE of the job comes first and takes its row lock, so
            // no SELECT ... FOR UPDATE is needed: a lost lease updates no row, and the subject's update
            // is rolled back with the exception
            tx.executeWithoutResult(s -> {
                if (!jobs.succeed(job.id(), rj.owner())) {
                    throw new LeaseLostException("lease of job " + job.id() + " lost");
                }
                subjectUpdate.run();
            });
        }

        @Override
        public void completeInOneStatement(java.util.function.BooleanSupplier statement) {
            holdForFaultTests();
            if (rj.leaseLost().get()) {
                throw new LeaseLostException("lease of job " + job.id() + " lost");
            }
            // one statement is one transaction: the job and its subject change together or not at all
            if (!statement.getAsBoolean()) {
                throw new LeaseLostException("lease of job " + job.id() + " lost");
            }
        }

        @Override
        public UUID jobId() {
            return job.id();
        }

        @Override
        public String leaseOwner() {
            return rj.owner();
        }

        @Override
        public void progress(Runnable subjectUpdate) {
            inLease(subjectUpdate);
        }

        private void inLease(Runnable work) {
            if (rj.leaseLost().get()) {
                throw new LeaseLostException("lease of job " + job.id() + " lost");
            }
            tx.executeWithoutResult(s -> {
                if (!jobs.holdsLease(job.id(), rj.owner())) {
                    throw new LeaseLostException("lease of job " + job.id() + " lost");
                }
                work.run();
            });
        }

        @Override
        public long queueMillis() {
            return queueMillis;
        }

        @Override
        public void provingTime(long millis) {
            metrics.provingTime(constraints, Duration.ofMillis(millis));
        }

        /** zkml.worker.hold-before-complete (development only): a window to kill or pause this worker in, first attempts of prove jobs only. */
        private void holdForFaultTests() {
            Duration hold = props.holdBeforeComplete();
            if (hold.isZero() || hold.isNegative() || job.attempts() > 1 || job.kind() != JobKind.PROVE) {
                return;
            }
            log.warn("job {}: holding the result for {} before storing it (zkml.worker.hold-before-complete)",
                    job.id(), hold);
            try {
                Thread.sleep(hold);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LeaseLostException("interrupted while holding the result of job " + job.id());
            }
        }
    }
}
