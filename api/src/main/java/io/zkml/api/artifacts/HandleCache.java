package io.zkml.api.artifacts;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded least-recently-used cache of native handles. A value is loaded once per key (other
 * callers of the same key wait for it), handed out as {@link Lease}s, and closed when it has been
 * evicted and the last lease is closed, so a handle is never freed while a proof uses it.
 */
public final class HandleCache<K, V extends AutoCloseable> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HandleCache.class);

    private final int maxEntries;
    private final Map<K, Entry<V>> map = new LinkedHashMap<>(16, 0.75f, true);

    private static final class Entry<V> {
        final Object loadLock = new Object();
        V value;
        int leases;
        boolean evicted;
    }

    /** Loads a value; may throw. */
    @FunctionalInterface
    public interface Loader<V> {
        V load() throws Exception;
    }

    /** A value in use; close it when done (try-with-resources). */
    public final class Lease implements AutoCloseable {
        private final Entry<V> entry;
        private boolean closed;

        private Lease(Entry<V> entry) {
            this.entry = entry;
        }

        public V value() {
            return entry.value;
        }

        @Override
        public void close() {
            synchronized (HandleCache.this) {
                if (closed) {
                    return;
                }
                closed = true;
                entry.leases--;
                closeIfUnused(entry);
            }
        }
    }

    public HandleCache(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1");
        }
        this.maxEntries = maxEntries;
    }

    /** A lease on the value for {@code key}, loading it if needed. */
    public Lease acquire(K key, Loader<V> loader) throws Exception {
        Entry<V> e;
        synchronized (this) {
            e = map.computeIfAbsent(key, k -> new Entry<>());
            e.leases++;
        }
        try {
            synchronized (e.loadLock) {
                if (e.value == null) {
                    e.value = loader.load();
                }
            }
        } catch (Exception | Error ex) {
            synchronized (this) {
                e.leases--;
                if (e.value == null && map.get(key) == e) {
                    map.remove(key);
                }
            }
            throw ex;
        }
        synchronized (this) {
            evictOverflow();
            return new Lease(e);
        }
    }

    private void evictOverflow() {
        Iterator<Entry<V>> it = map.values().iterator();
        while (map.size() > maxEntries && it.hasNext()) {
            Entry<V> eldest = it.next();
            it.remove();
            eldest.evicted = true;
            closeIfUnused(eldest);
        }
    }

    private void closeIfUnused(Entry<V> e) {
        if (e.evicted && e.leases == 0 && e.value != null) {
            try {
                e.value.close();
            } catch (Exception ex) {
                log.warn("closing a native handle failed: {}", ex.getMessage());
            }
            e.value = null;
        }
    }

    /** Evicts everything; values in use are closed when their last lease closes. */
    @Override
    public synchronized void close() {
        for (Entry<V> e : map.values()) {
            e.evicted = true;
            closeIfUnused(e);
        }
        map.clear();
    }
}
