package io.zkml.api.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class HandleCacheTest {

    /** Stands for a native handle: it only records whether it was closed. */
    static final class Handle implements AutoCloseable {
        final String name;
        boolean closed;

        Handle(String name) {
            this.name = name;
        }

        @Override
        public void close() {
            if (closed) {
                throw new IllegalStateException(name + " closed twice");
            }
            closed = true;
        }
    }

    @Test
    void aValueIsLoadedOnceAndSharedWhileCached() throws Exception {
        HandleCache<String, Handle> cache = new HandleCache<>(2);
        AtomicInteger loads = new AtomicInteger();
        try (var a = cache.acquire("a", () -> new Handle("a" + loads.incrementAndGet()));
             var b = cache.acquire("a", () -> new Handle("a" + loads.incrementAndGet()))) {
            assertThat(a.value()).isSameAs(b.value());
        }
        assertThat(loads).hasValue(1);
    }

    @Test
    void anEvictedHandleInUseIsClosedOnlyWhenItsLastLeaseCloses() throws Exception {
        HandleCache<String, Handle> cache = new HandleCache<>(1);
        var lease = cache.acquire("a", () -> new Handle("a"));
        Handle a = lease.value();
        cache.acquire("b", () -> new Handle("b")).close();
        assertThat(a.closed).as("evicted but in use").isFalse();
        lease.close();
        assertThat(a.closed).isTrue();
        lease.close();
        assertThat(a.closed).isTrue();
    }

    @Test
    void anUnusedHandleIsClosedWhenEvicted() throws Exception {
        HandleCache<String, Handle> cache = new HandleCache<>(1);
        Handle a;
        try (var lease = cache.acquire("a", () -> new Handle("a"))) {
            a = lease.value();
        }
        assertThat(a.closed).isFalse();
        cache.acquire("b", () -> new Handle("b")).close();
        assertThat(a.closed).isTrue();
    }

    @Test
    void aFailedLoadCachesNothing() throws Exception {
        HandleCache<String, Handle> cache = new HandleCache<>(2);
        assertThatThrownBy(() -> cache.acquire("a", () -> {
            throw new IllegalStateException("no such file");
        })).hasMessage("no such file");
        try (var lease = cache.acquire("a", () -> new Handle("a"))) {
            assertThat(lease.value().name).isEqualTo("a");
        }
    }

    @Test
    void closingTheCacheClosesIdleHandlesAndLeasedOnesOnRelease() throws Exception {
        HandleCache<String, Handle> cache = new HandleCache<>(4);
        var leased = cache.acquire("a", () -> new Handle("a"));
        Handle idle;
        try (var l = cache.acquire("b", () -> new Handle("b"))) {
            idle = l.value();
        }
        cache.close();
        assertThat(idle.closed).isTrue();
        assertThat(leased.value().closed).isFalse();
        Handle a = leased.value();
        leased.close();
        assertThat(a.closed).isTrue();
    }
}
