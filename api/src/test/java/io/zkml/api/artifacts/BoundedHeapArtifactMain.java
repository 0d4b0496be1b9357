package io.zkml.api.artifacts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.unit.DataSize;

import io.zkml.api.jobs.WorkerProperties;

/**
 * Run by {@link ArtifactStreamingTest} in a JVM whose heap is smaller than the artifact
 * ({@code -Xmx}): stores a file of {@code size} bytes in 1 MB chunks, reads it into a fresh file
 * cache and checks the SHA-256 of the cached file; exits 0 only if all of that fits the heap.
 * Arguments: jdbc url, user, password, work directory, size in bytes.
 */
public final class BoundedHeapArtifactMain {

    private BoundedHeapArtifactMain() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[3]);
        long size = Long.parseLong(args[4]);
        try (HikariDataSource ds = new HikariDataSource()) {
            ds.setJdbcUrl(args[0]);
            ds.setUsername(args[1]);
            ds.setPassword(args[2]);
            ds.setMaximumPoolSize(2);
            ArtifactRepository repo = new ArtifactRepository(JdbcClient.create(ds), JsonMapper.builder().build(),
                    new TransactionTemplate(new JdbcTransactionManager(ds)), DataSize.ofMegabytes(1));
            Path file = work.resolve("heap-bound.pk");
            String expected = ArtifactStreamingTest.randomFile(file, size, 4242);
            String sha = repo.put(ArtifactKind.PROVING_KEY, file, new ArtifactVersions("test", "v0.0.0", 1, "bn254", "go", 1));
            Files.delete(file);
            ArtifactFileCache cache = new ArtifactFileCache(repo, new WorkerProperties(true, 1, Duration.ofSeconds(60),
                    Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(2), 3, Duration.ofSeconds(5),
                    work.resolve("heap-bound-cache"), 4, List.of("cpu"), null, null, null, null, true, null,
                    DataSize.ofGigabytes(1)));
            Path cached = cache.materialize(sha);
            String got = ArtifactRepository.sha256(cached);
            if (!sha.equals(expected) || !got.equals(sha) || Files.size(cached) != size) {
                System.out.println("MISMATCH " + expected + " " + sha + " " + got);
                System.exit(2);
            }
            System.out.println("OK " + sha + " maxHeap=" + Runtime.getRuntime().maxMemory());
        }
    }
}
