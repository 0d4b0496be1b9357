package io.zkml.api.jobs;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The job workers of this process ({@code zkml.worker.*}).
 *
 * @param enabled whether this process runs workers (the {@code worker} role); an API-only node sets
 *     {@code false} and leaves the jobs to other processes (default {@code true})
 * @param threads number of worker threads, i.e. jobs run at once by this process (default {@code 2})
 * @param lease how long a claimed job stays owned without a heartbeat; a job whose worker died is
 *     re-queued once it expires (default {@code 60s})
 * @param heartbeatInterval how often a worker extends the leases of its running jobs; well below
 *     {@code lease} (default {@code 10s})
 * @param pollInterval how long an idle worker waits before looking for new jobs (jobs queued by this
 *     process wake it at once) (default {@code 1s})
 * @param reaperInterval how often expired leases are re-queued (default {@code 15s})
 * @param maxAttempts how many times a job is tried before it fails for good (default {@code 3})
 * @param retryBackoff how long a job waits before it is retried after a transient failure
 *     (default {@code 5s})
 * @param cacheDir where artifacts (keys, constraint systems) read from PostgreSQL are kept on disk,
 *     by SHA-256 (default {@code ${java.io.tmpdir}/zkml-artifact-cache})
 * @param loadedCircuits how many circuits keep their native handles (constraint system, keys)
 *     loaded in memory (default {@code 4})
 */
@ConfigurationProperties("zkml.worker")
public record WorkerProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("2") int threads,
        @DefaultValue("60s") Duration lease,
        @DefaultValue("10s") Duration heartbeatInterval,
        @DefaultValue("1s") Duration pollInterval,
        @DefaultValue("15s") Duration reaperInterval,
        @DefaultValue("3") int maxAttempts,
        @DefaultValue("5s") Duration retryBackoff,
        Path cacheDir,
        @DefaultValue("4") int loadedCircuits) {

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
    }
}
