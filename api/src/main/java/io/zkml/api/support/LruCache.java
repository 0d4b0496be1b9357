package io.zkml.api.support;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** A small thread-safe least-recently-used cache for values that need no cleanup. */
public final class LruCache<K, V> {

    private final Map<K, V> map;

    public LruCache(int maxEntries) {
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > maxEntries;
            }
        };
    }

    /** The cached value, or {@code loader}'s (not cached if it throws). The loader runs outside the lock. */
    public <E extends Exception> V get(K key, ThrowingFunction<K, V, E> loader) throws E {
        synchronized (map) {
            V v = map.get(key);
            if (v != null) {
                return v;
            }
        }
        V v = loader.apply(key);
        synchronized (map) {
            map.put(key, v);
        }
        return v;
    }

    /** The cached value, or null (counts as a use). */
    public V peek(K key) {
        synchronized (map) {
            return map.get(key);
        }
    }

    /** Forgets one key. */
    public void remove(K key) {
        synchronized (map) {
            map.remove(key);
        }
    }

    /** Forgets everything. */
    public void clear() {
        synchronized (map) {
            map.clear();
        }
    }

    /** A function that may throw a checked exception. */
    @FunctionalInterface
    public interface ThrowingFunction<K, V, E extends Exception> {
        V apply(K key) throws E;
    }

    /** For callers whose loader throws nothing checked. */
    public V getUnchecked(K key, Function<K, V> loader) {
        return get(key, loader::apply);
    }
}
