package io.zkml.api.inferences;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.stereotype.Component;

/**
 * Issue 9 (ADR 0027): the requests of {@code GET /v1/inferences/{id}?wait=…} of this process that
 * wait for an inference to end. {@link InferenceEndListener} calls {@link #ended} for every
 * NOTIFY on {@code zkml_inference_ended} (V46: sent by PostgreSQL when any process ends an
 * inference); a waiter then re-reads the row. At most {@value #MAX_WAITING} requests wait at once
 * (each holds a servlet thread); beyond that a request is answered at once, without waiting.
 */
@Component
public class InferenceWaiters {

    /** Requests that may wait at once (half of Tomcat's default 200 threads). */
    public static final int MAX_WAITING = 100;

    private final ConcurrentMap<UUID, Set<Waiter>> byId = new ConcurrentHashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();

    /** One waiting request; close it when done. */
    public final class Waiter implements AutoCloseable {
        private final UUID id;
        private final Semaphore ended = new Semaphore(0);

        private Waiter(UUID id) {
            this.id = id;
        }

        /** Waits until the inference may have ended (a notification) or the timeout; true if notified. */
        public boolean await(long millis) throws InterruptedException {
            if (millis <= 0) {
                return false;
            }
            boolean got = ended.tryAcquire(millis, TimeUnit.MILLISECONDS);
            ended.drainPermits();
            return got;
        }

        @Override
        public void close() {
            byId.computeIfPresent(id, (k, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
            waiting.decrementAndGet();
        }
    }

    /** A waiter for {@code id}, or null when {@value #MAX_WAITING} requests wait already. */
    public Waiter register(UUID id) {
        if (waiting.incrementAndGet() > MAX_WAITING) {
            waiting.decrementAndGet();
            return null;
        }
        Waiter w = new Waiter(id);
        byId.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(w);
        return w;
    }

    /** Wakes every request waiting for {@code id}. */
    public void ended(UUID id) {
        Set<Waiter> set = byId.get(id);
        if (set != null) {
            for (Waiter w : set) {
                w.ended.release();
            }
        }
    }

    /** Requests waiting now. */
    public int waiting() {
        return waiting.get();
    }
}
