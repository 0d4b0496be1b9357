package io.zkml.api.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

import io.zkml.api.jobs.WorkerProperties;

/**
 * Issue 9: the bounded artifact cache never deletes a file while someone reads it. A file held
 * through {@link ArtifactFileCache#acquire} (reference-counted: a ceremony holds its chain of states
 * and its phase-1 file while it fills more) outlives any number of fills beyond the bound and is
 * evicted after its last holder let go; and under concurrent fills and readers every pinned file
 * reads back whole with its SHA-256, including files chosen as victims just before a reader pinned
 * them (the delete re-checks the pins under the artifact's lock).
 */
class ArtifactFileCacheEvictionTest {

    @TempDir
    Path tmp;

    private final Map<String, byte[]> stored = new HashMap<>();

    private ArtifactFileCache cache(long maxBytes) throws Exception {
        ArtifactRepository repo = mock(ArtifactRepository.class);
        when(repo.copyTo(anyString(), any(OutputStream.class))).thenAnswer(inv -> {
            byte[] b = stored.get(inv.getArgument(0, String.class));
            if (b == null) {
                return -1L;
            }
            inv.getArgument(1, OutputStream.class).write(b);
            return (long) b.length;
        });
        WorkerProperties props = new WorkerProperties(true, 1, Duration.ofSeconds(60), Duration.ofSeconds(10),
                Duration.ofSeconds(1), Duration.ofSeconds(2), 3, Duration.ofSeconds(5), tmp.resolve("cache"), 4,
                List.of("cpu"), null, null, null, null, true, null, DataSize.ofBytes(maxBytes));
        return new ArtifactFileCache(repo, props);
    }

    private String artifact(int i, int size) {
        byte[] b = new byte[size];
        for (int k = 0; k < size; k++) {
            b[k] = (byte) (i * 31 + k);
        }
        String sha = ArtifactRepository.sha256(b);
        stored.put(sha, b);
        return sha;
    }

    @Test
    void aPinnedFileOutlivesFillsBeyondTheBoundAndIsEvictedAfterItsLastHolder() throws Exception {
        ArtifactFileCache cache = cache(10_000); // room for two files of 4,000 bytes
        List<String> shas = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            shas.add(artifact(i, 4_000));
        }
        try (ArtifactFileCache.Pinned first = cache.acquire(shas.get(0));
             ArtifactFileCache.Pinned again = cache.acquire(shas.get(0))) {
            for (int i = 1; i < 6; i++) {
                cache.materialize(shas.get(i)); // each fill evicts the least recently used unpinned files
            }
            assertThat(cache.evictions()).isPositive();
            assertThat(Files.readAllBytes(first.path())).as("still there, whole").isEqualTo(stored.get(shas.get(0)));
            first.close();
            assertThat(cache.pinned(shas.get(0))).as("one holder left").isTrue();
            cache.materialize(shas.get(1));
            assertThat(Files.exists(again.path())).isTrue();
        }
        assertThat(cache.pinned(shas.get(0))).isFalse();
        long filledBefore = cache.fills();
        for (int i = 2; i < 6; i++) {
            cache.materialize(shas.get(i));
        }
        assertThat(Files.exists(tmp.resolve("cache").resolve(shas.get(0).substring(0, 2)).resolve(shas.get(0))))
                .as("evicted once nobody holds it").isFalse();
        assertThat(cache.fills()).isGreaterThan(filledBefore);
        assertThat(cache.cachedBytes()).isLessThanOrEqualTo(10_000 + 4_000);
    }

    @Test
    void underConcurrentFillsEveryPinnedFileReadsBackWhole() throws Exception {
        ArtifactFileCache cache = cache(3 * 20_000); // 3 of 8 files fit: constant eviction
        List<String> shas = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            shas.add(artifact(100 + i, 20_000));
        }
        AtomicInteger reads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            fs.add(pool.submit(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (int n = 0; n < 150; n++) {
                    String sha = shas.get(r.nextInt(shas.size()));
                    if (r.nextBoolean()) {
                        cache.materialize(shas.get(r.nextInt(shas.size()))); // a fill that may evict
                    }
                    try (ArtifactFileCache.Pinned p = cache.acquire(sha)) {
                        Thread.yield(); // others fill and evict meanwhile
                        byte[] read = Files.readAllBytes(p.path()); // NoSuchFileException if it was evicted
                        assertThat(ArtifactRepository.sha256(read)).isEqualTo(sha);
                        reads.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        assertThat(reads.get()).isEqualTo(6 * 150);
        assertThat(cache.evictions()).isPositive();
        for (String sha : shas) {
            assertThat(cache.pinned(sha)).isFalse();
        }
    }
}
