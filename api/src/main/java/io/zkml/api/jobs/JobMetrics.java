package io.zkml.api.jobs;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The job queue's metrics (Micrometer, exported at {@code /actuator/prometheus}):
 * <ul>
 *   <li>{@code zkml_jobs_queued{kind}}, {@code zkml_jobs_running{kind}}: the queue depth of the whole
 *       service (every process reads it from PostgreSQL; the worker autoscaler scales on it);</li>
 *   <li>{@code zkml_workers}, {@code zkml_worker_threads}: live worker processes (announcement not
 *       expired) and their threads, service-wide;</li>
 *   <li>{@code zkml_job_latency_seconds{kind,outcome,size}}: queued → finished, histogram;</li>
 *   <li>{@code zkml_proving_time_seconds{size}}: gnark's proving time, histogram;</li>
 *   <li>{@code zkml_job_failures_total{kind,reason}}: failed or lost attempts by reason.</li>
 * </ul>
 * {@code size} is a class of the circuit's constraint count ({@link #sizeClass}). The gauges read the
 * database at most once every two seconds; with the database down they read NaN.
 */
@Component
public class JobMetrics {

    private static final Logger log = LoggerFactory.getLogger(JobMetrics.class);
    private static final long CACHE_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** Why an attempt ended without success (the {@code reason} tag). */
    public enum FailureReason {
        /** the handler said no retry can fix it (bad input, circuit not ready, unsatisfied). */
        PERMANENT,
        /** an unexpected error; the job was retried or, at its last attempt, failed. */
        TRANSIENT,
        /** the worker lost its lease (expired or its process was presumed dead); another worker runs it. */
        LEASE_LOST,
        /** the reaper took the job from a worker whose lease or announcement expired. */
        REAPED;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final JobRepository jobs;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile Snapshot snapshot;

    private record Snapshot(long atNanos, Map<JobKind, Map<JobStatus, Long>> counts, long workers, long threads) {
    }

    @org.springframework.beans.factory.annotation.Autowired
    public JobMetrics(ObjectProvider<MeterRegistry> registry, JobRepository jobs) {
        this(registry.getIfAvailable(SimpleMeterRegistry::new), jobs);
    }

    JobMetrics(MeterRegistry registry, JobRepository jobs) {
        this.registry = registry;
        this.jobs = jobs;
        for (JobKind k : JobKind.values()) {
            gauge("zkml.jobs.queued", "jobs waiting to be claimed, service-wide", k,
                    s -> s.counts().get(k).get(JobStatus.QUEUED));
            gauge("zkml.jobs.running", "jobs claimed by a worker, service-wide", k,
                    s -> s.counts().get(k).get(JobStatus.RUNNING));
        }
        Gauge.builder("zkml.workers", this, m -> m.read(Snapshot::workers))
                .description("worker processes whose announcement is current, service-wide").register(registry);
        Gauge.builder("zkml.worker.threads", this, m -> m.read(Snapshot::threads))
                .description("worker threads of the live worker processes, service-wide").register(registry);
    }

    private void gauge(String name, String description, JobKind kind, ToDoubleFunction<Snapshot> f) {
        Gauge.builder(name, this, m -> m.read(f)).description(description).tag("kind", kind.dbName()).register(registry);
    }

    private double read(ToDoubleFunction<Snapshot> f) {
        Snapshot s = snapshot;
        if (s == null || System.nanoTime() - s.atNanos() > CACHE_NANOS) {
            try {
                s = new Snapshot(System.nanoTime(), jobs.activeCounts(), jobs.liveWorkers(), jobs.liveWorkerThreads());
                snapshot = s;
            } catch (RuntimeException e) {
                log.debug("queue metrics unavailable: {}", e.getMessage());
                return Double.NaN;
            }
        }
        return f.applyAsDouble(s);
    }

    /** The {@code size} tag: the circuit's constraints rounded up to a power of 16 (or {@code unknown}). */
    public static String sizeClass(Long constraints) {
        if (constraints == null) {
            return "unknown";
        }
        long bound = 1024;
        while (bound < constraints && bound < (1L << 40)) {
            bound *= 16;
        }
        return constraints <= bound ? "le_" + bound : "gt_" + bound;
    }

    /** A job that ended (succeeded or failed for good): queued → finished. */
    public void jobFinished(JobKind kind, String outcome, Long constraints, Duration latency) {
        timer("zkml.job.latency", "from queued to finished", "kind", kind.dbName(), "outcome", outcome,
                "size", sizeClass(constraints)).record(latency);
    }

    /** gnark's proving time for one proof. */
    public void provingTime(Long constraints, Duration time) {
        timer("zkml.proving.time", "the prover's time for one proof (witness excluded)", "size",
                sizeClass(constraints)).record(time);
    }

    public void failure(JobKind kind, FailureReason reason) {
        String key = kind.dbName() + "/" + reason.tag();
        counters.computeIfAbsent(key, x -> Counter.builder("zkml.job.failures")
                .description("job attempts that ended without success, by reason")
                .tag("kind", kind.dbName()).tag("reason", reason.tag()).register(registry)).increment();
    }

    private Timer timer(String name, String description, String... tags) {
        String key = name + String.join("/", tags);
        return timers.computeIfAbsent(key, x -> Timer.builder(name).description(description).tags(tags)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(1))
                .register(registry));
    }
}
