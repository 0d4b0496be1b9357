package io.zkml.api.security;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Per-key limits. Proofs per minute: a Bucket4j token bucket per key (capacity = the limit, refilled
 * evenly over a minute), in this process's memory; with several API processes each one enforces the
 * limit on its own share of the traffic. Concurrent jobs: counted in PostgreSQL over the owner's
 * unfinished circuits and inferences, so it holds across processes.
 */
@Component
public class RateLimits {

    /** A limit that was hit, and how many seconds to wait ({@code Retry-After}). */
    public record Refusal(String limit, long retryAfterSeconds, String detail) {
    }

    private record Entry(int perMinute, Bucket bucket) {
    }

    private final ConcurrentMap<String, Entry> buckets = new ConcurrentHashMap<>();
    private final JdbcClient jdbc;

    public RateLimits(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Takes one proof from the caller's bucket; a refusal if it is empty. */
    public java.util.Optional<Refusal> takeProof(Caller caller) {
        int limit = caller.proofsPerMinute();
        Entry e = buckets.compute(caller.bucketName(), (k, old) -> old != null && old.perMinute() == limit ? old
                : new Entry(limit, Bucket.builder()
                        .addLimit(l -> l.capacity(limit).refillGreedy(limit, Duration.ofMinutes(1)))
                        .build()));
        ConsumptionProbe probe = e.bucket().tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            return java.util.Optional.empty();
        }
        long seconds = Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L);
        return java.util.Optional.of(new Refusal("proofs-per-minute", seconds,
                "this API key may submit " + limit + " proofs per minute; retry in " + seconds + " s"));
    }

    /** A refusal if the owner already has {@code maxConcurrentJobs} circuits or inferences unfinished. */
    public java.util.Optional<Refusal> checkConcurrentJobs(Caller caller) {
        long active = jdbc.sql("""
                SELECT (SELECT count(*) FROM circuits WHERE owner = :o AND status IN ('queued', 'compiling', 'setting_up'))
                     + (SELECT count(*) FROM inferences WHERE owner = :o AND status IN ('queued', 'proving'))
                """).param("o", caller.owner()).query(Long.class).single();
        if (active < caller.maxConcurrentJobs()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Refusal("concurrent-jobs", 1, "owner '" + caller.owner() + "' has " + active
                + " jobs queued or running, the limit of this API key is " + caller.maxConcurrentJobs()
                + "; retry when one has finished"));
    }
}
