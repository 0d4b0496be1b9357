package io.zkml.api.jobs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The job workers of this process ({@code zkml.worker.*}).
 *
 * @param enabled whether this process runs workers (the {@code worker} role); an API-only node sets
 *     {@code false} and leaves the jobs to other processes (default {@code true})
 * @param threads number of worker threads, i.e. jobs run at once by this process (default {@code 2})
 * @param lease how long a claimed job stays owned without a heartbeat; a job whose worker died is
 *     re-queued once it expires, or sooner once the worker's announcement expired (default {@code 60s})
 * @param heartbeatInterval how often a worker extends the leases of its running jobs; well below
 *     {@code lease} (default {@code 10s})
 * @param pollInterval how long an idle worker waits before looking for new jobs when no notification
 *     came (jobs queued by any process wake it at once through LISTEN/NOTIFY) (default {@code 1s})
 * @param reaperInterval how often expired leases and dead workers' jobs are re-queued (default {@code 2s})
 * @param maxAttempts how many times a job is tried before it fails for good (default {@code 3})
 * @param retryBackoff how long a job waits before it is retried after a transient failure, doubled
 *     at each further attempt (default {@code 5s})
 * @param cacheDir where artifacts (keys, constraint systems) read from PostgreSQL are kept on disk,
 *     by SHA-256 (default {@code ${java.io.tmpdir}/zkml-artifact-cache})
 * @param loadedCircuits how many circuits keep their native handles (constraint system, keys)
 *     loaded in memory (default {@code 4})
 * @param tags capability tags of this worker process, e.g. {@code cpu}, {@code gpu}; a job that
 *     requires a tag is claimed only by workers that have it (default {@code cpu})
 * @param maxConstraints the largest circuit (constraints) this worker proves; larger jobs are left to
 *     other workers (default: no limit)
 * @param maxMemoryMb the memory (MiB) a job may need on this worker, as estimated when it is queued;
 *     jobs that need more are left to other workers (default: no limit)
 * @param announceLease how long this worker process's announcement in {@code workers} lasts without
 *     renewal; once it expired the process counts as dead and its running jobs are re-queued
 *     (default {@code 6s})
 * @param announceInterval how often the announcement is renewed; below {@code announceLease}
 *     (default {@code 2s})
 * @param listen whether idle workers LISTEN for the NOTIFY sent when a job is queued (polling at
 *     {@code pollInterval} stays the fallback) (default {@code true})
 * @param holdBeforeComplete fault injection for the multi-process tests (development mode only,
 *     production refuses it): how long a worker waits between having a proof and storing it, on
 *     the first attempt of a prove job only (default {@code 0s}, off)
 * @param cacheMaxBytes the bound on the artifact cache in {@code cacheDir}: beyond it the least
 *     recently used files are deleted, to be read again from PostgreSQL when needed; a number of
 *     bytes or a size such as {@code 8GB} (default {@code 8GB})
 */
@ConfigurationProperties("zkml.worker")
public record WorkerProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("2") int threads,
        @DefaultValue("60s") Duration lease,
        @DefaultValue("10s") Duration heartbeatInterval,
        @DefaultValue("1s") Duration pollInterval,
        @DefaultValue("2s") Duration reaperInterval,
        @DefaultValue("3") int maxAttempts,
        @DefaultValue("5s") Duration retryBackoff,
        Path cacheDir,
        @DefaultValue("4") int loadedCircuits,
        @DefaultValue("cpu") List<String> tags,
        Long maxConstraints,
        Long maxMemoryMb,
        @DefaultValue("6s") Duration announceLease,
        @DefaultValue("2s") Duration announceInterval,
        @DefaultValue("true") boolean listen,
        @DefaultValue("0s") Duration holdBeforeComplete,
        @DefaultValue("8GB") DataSize cacheMaxBytes) {

    @ConstructorBinding
    public WorkerProperties {
        if (threads < 1) {
            throw new IllegalArgumentException("zkml.worker.threads must be at least 1, got " + threads);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("zkml.worker.max-attempts must be at least 1, got " + maxAttempts);
        }
        if (heartbeatInterval.compareTo(lease) >= 0) {
            throw new IllegalArgumentException("zkml.worker.heartbeat-interval (" + heartbeatInterval
                    + ") must be shorter than zkml.worker.lease (" + lease + ")");
        }
        if (loadedCircuits < 1) {
            throw new IllegalArgumentException("zkml.worker.loaded-circuits must be at least 1, got " + loadedCircuits);
        }
        if (cacheDir == null) {
            cacheDir = Path.of(System.getProperty("java.io.tmpdir"), "zkml-artifact-cache");
        }
        tags = tags == null ? List.of("cpu") : tags.stream().map(t -> t.strip().toLowerCase(Locale.ROOT))
                .filter(t -> !t.isEmpty()).distinct().toList();
        if (maxConstraints != null && maxConstraints < 1) {
            throw new IllegalArgumentException("zkml.worker.max-constraints must be at least 1, got " + maxConstraints);
        }
        if (maxMemoryMb != null && maxMemoryMb < 1) {
            throw new IllegalArgumentException("zkml.worker.max-memory-mb must be at least 1, got " + maxMemoryMb);
        }
        if (announceLease == null) {
            announceLease = Duration.ofSeconds(6);
        }
        if (announceInterval == null) {
            announceInterval = Duration.ofSeconds(2);
        }
        if (announceInterval.compareTo(announceLease) >= 0) {
            throw new IllegalArgumentException("zkml.worker.announce-interval (" + announceInterval
                    + ") must be shorter than zkml.worker.announce-lease (" + announceLease + ")");
        }
        if (holdBeforeComplete == null) {
            holdBeforeComplete = Duration.ZERO;
        }
        if (cacheMaxBytes == null) {
            cacheMaxBytes = DataSize.ofGigabytes(8);
        }
        if (cacheMaxBytes.toBytes() < 1) {
            throw new IllegalArgumentException("zkml.worker.cache-max-bytes must be positive, got " + cacheMaxBytes);
        }
        if (reaperInterval == null) {
            reaperInterval = Duration.ofSeconds(2);
        }
    }

    /** The settings of the earlier releases, with the defaults of everything added since (tests). */
    public WorkerProperties(boolean enabled, int threads, Duration lease, Duration heartbeatInterval,
                            Duration pollInterval, Duration reaperInterval, int maxAttempts, Duration retryBackoff,
                            Path cacheDir, int loadedCircuits) {
        this(enabled, threads, lease, heartbeatInterval, pollInterval, reaperInterval, maxAttempts, retryBackoff,
                cacheDir, loadedCircuits, List.of("cpu"), null, null, null, null, true, null, null);
    }

    /** What this worker process can run, given the kinds it has handlers for. */
    public JobRepository.Capabilities capabilities(Set<JobKind> kinds) {
        return new JobRepository.Capabilities(kinds, new TreeSet<>(tags), maxConstraints, maxMemoryMb);
    }
}
