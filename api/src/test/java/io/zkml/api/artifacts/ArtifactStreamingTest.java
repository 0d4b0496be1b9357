package io.zkml.api.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.unit.DataSize;

import io.zkml.api.db.embedded.EmbeddedPostgres;
import io.zkml.api.jobs.WorkerProperties;
import io.zkml.api.testing.TestPostgres;

/**
 * Artifacts in chunks (issue 9, V44), on a real PostgreSQL: a 64 MB artifact is written from its
 * file in 1 MB chunks and read back one chunk at a time through a digest, never as one array; a row
 * written before V44 (bytes in the row) still loads; the worker's file cache stays under its bound by
 * evicting the least recently used file (not one in use), and a cached file or a stored chunk whose
 * bytes changed is detected.
 */
class ArtifactStreamingTest {

    private static final int CHUNK = 1 << 20;
    private static final ArtifactVersions MADE = new ArtifactVersions("test", "v0.0.0", 1, "bn254", "go", 1);

    @TempDir
    static Path dir;

    private static EmbeddedPostgres pg;
    private static HikariDataSource ds;
    private static JdbcClient jdbc;
    private static ArtifactRepository repo;
    private static byte[] legacyBytes;
    private static String legacySha;

    @BeforeAll
    static void startPostgres() {
        pg = EmbeddedPostgres.start(TestPostgres.settings(dir));
        ds = new HikariDataSource();
        ds.setJdbcUrl(pg.jdbcUrl());
        ds.setUsername(pg.user());
        ds.setPassword(pg.password());
        ds.setMaximumPoolSize(4);
        // the schema as it was before V44, with an artifact written then (bytes in the row)
        Flyway.configure().dataSource(ds).locations("classpath:db/migrations").target("37").load().migrate();
        jdbc = JdbcClient.create(ds);
        legacyBytes = "a verifying key written by v0.1".getBytes();
        legacySha = ArtifactRepository.sha256(legacyBytes);
        jdbc.sql("INSERT INTO artifacts (sha256, kind, size_bytes, bytes, versions) VALUES (?, 'verifying_key', ?, ?, ?::jsonb)")
                .params(legacySha, legacyBytes.length, legacyBytes, JsonMapper.builder().build().writeValueAsString(MADE)).update();
        TestPostgres.migrate(ds);
        repo = new ArtifactRepository(jdbc, JsonMapper.builder().build(),
                new TransactionTemplate(new JdbcTransactionManager(ds)), DataSize.ofBytes(CHUNK));
    }

    @AfterAll
    static void stopPostgres() {
        if (ds != null) {
            ds.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    private static ArtifactFileCache cache(Path cacheDir, long maxBytes) {
        return new ArtifactFileCache(repo, new WorkerProperties(true, 1, Duration.ofSeconds(60), Duration.ofSeconds(10),
                Duration.ofSeconds(1), Duration.ofSeconds(2), 3, Duration.ofSeconds(5), cacheDir, 4, List.of("cpu"),
                null, null, null, null, true, null, DataSize.ofBytes(maxBytes)));
    }

    /** Writes {@code size} pseudo-random bytes to a file in 64 KiB blocks; returns their SHA-256. */
    static String randomFile(Path file, long size, long seed) throws IOException {
        Random rnd = new Random(seed);
        MessageDigest md = ArtifactRepository.digest();
        byte[] block = new byte[1 << 16];
        try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(file)), md)) {
            for (long left = size; left > 0; left -= block.length) {
                rnd.nextBytes(block);
                out.write(block, 0, (int) Math.min(block.length, left));
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Digests what is written and remembers the largest single write. */
    private static final class DigestSink extends OutputStream {
        final MessageDigest md = ArtifactRepository.digest();
        long total;
        int largestWrite;

        @Override
        public void write(int b) {
            md.update((byte) b);
            total++;
            largestWrite = Math.max(largestWrite, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            md.update(b, off, len);
            total += len;
            largestWrite = Math.max(largestWrite, len);
        }

        String hex() {
            return HexFormat.of().formatHex(md.digest());
        }
    }

    @Test
    void aLargeArtifactIsStoredInChunksAndStreamedBackWithoutMaterializingIt() throws Exception {
        long size = 64L * CHUNK + 12_345;
        Path file = dir.resolve("big.pk");
        String expected = randomFile(file, size, 42);

        String sha = repo.put(ArtifactKind.PROVING_KEY, file, MADE);
        assertThat(sha).isEqualTo(expected);
        assertThat(repo.put(ArtifactKind.PROVING_KEY, file, MADE)).as("storing it again is a no-op").isEqualTo(sha);

        var layout = jdbc.sql("SELECT count(*), max(octet_length(bytes)), sum(octet_length(bytes)) FROM artifact_chunks WHERE sha256 = ?")
                .param(sha).query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)}).single();
        assertThat(layout[0]).as("chunks").isEqualTo(65);
        assertThat(layout[1]).as("largest chunk").isEqualTo(CHUNK);
        assertThat(layout[2]).as("bytes in chunks").isEqualTo(size);
        assertThat(jdbc.sql("SELECT bytes IS NULL FROM artifacts WHERE sha256 = ?").param(sha).query(Boolean.class).single())
                .as("no copy in the row").isTrue();

        DigestSink sink = new DigestSink();
        assertThat(repo.copyTo(sha, sink)).isEqualTo(size);
        assertThat(sink.hex()).isEqualTo(sha);
        assertThat(sink.largestWrite).as("handed over one chunk at a time, never the whole artifact").isEqualTo(CHUNK);

        ArtifactFileCache cache = cache(dir.resolve("cache-big"), 1L << 30);
        Path cached = cache.materialize(sha);
        assertThat(Files.size(cached)).isEqualTo(size);
        assertThat(ArtifactRepository.sha256(cached)).isEqualTo(sha);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache.dir()))).isEqualTo("rwx------");
        assertThat(repo.copyTo("0".repeat(64), sink)).as("no such artifact").isEqualTo(-1);
    }

    @Test
    void aJvmWithLessHeapThanTheArtifactStoresAndCachesIt() throws Exception {
        // 64 MB through a JVM of 40 MB heap: an artifact read or written whole would not fit
        Path work = Files.createDirectories(dir.resolve("heap-bound"));
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(javaBin.toString(), "-Xmx40m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), BoundedHeapArtifactMain.class.getName(),
                pg.jdbcUrl(), pg.user(), pg.password(), work.toString(), Long.toString(64L * CHUNK))
                .redirectErrorStream(true).start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes());
        }
        assertThat(p.waitFor(50, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("OK ");
    }

    @Test
    void anArtifactWrittenBeforeTheChunkedLayoutStillLoads() {
        StoredArtifact a = repo.find(legacySha).orElseThrow();
        assertThat(a.bytes()).isEqualTo(legacyBytes);
        Path f = cache(dir.resolve("cache-legacy"), 1 << 20).materialize(legacySha);
        assertThat(f).hasBinaryContent(legacyBytes);
        // a small artifact written now: one chunk, read by find
        byte[] small = "a small verifier".getBytes();
        String sha = repo.put(ArtifactKind.VERIFIER_SOLIDITY, small, MADE);
        assertThat(repo.find(sha).orElseThrow().bytes()).isEqualTo(small);
        byte[] empty = new byte[0];
        String none = repo.put(ArtifactKind.IR, empty, MADE);
        assertThat(repo.find(none).orElseThrow().bytes()).isEmpty();
    }

    @Test
    void theCacheEvictsTheLeastRecentlyUsedFileUnderItsBoundAndNotOneInUse() throws Exception {
        String[] sha = new String[5];
        for (int i = 0; i < sha.length; i++) {
            Path f = dir.resolve("evict-" + i);
            randomFile(f, CHUNK + 100L * i, 100 + i);
            sha[i] = repo.put(ArtifactKind.CONSTRAINT_SYSTEM, f, MADE);
        }
        ArtifactFileCache cache = cache(dir.resolve("cache-evict"), 3L * CHUNK + 1000);
        Path a = cache.materialize(sha[0]);
        Path b = cache.materialize(sha[1]);
        Path c = cache.materialize(sha[2]);
        cache.materialize(sha[0]); // a is now more recent than b
        assertThat(cache.fills()).isEqualTo(3);

        Path d = cache.materialize(sha[3]);
        assertThat(b).as("least recently used, evicted").doesNotExist();
        assertThat(a).exists();
        assertThat(c).exists();
        assertThat(d).exists();
        assertThat(cache.cachedBytes()).isLessThanOrEqualTo(cache.maxBytes());

        // a file in use is kept although it is the least recently used
        cache.withFile(sha[2], inUse -> {
            cache.materialize(sha[4]);
            assertThat(inUse).as("pinned while in use").exists();
            return null;
        });
        assertThat(a).as("the next least recently used went instead").doesNotExist();
        assertThat(cache.cachedBytes()).isLessThanOrEqualTo(cache.maxBytes());

        // an evicted file is read again when needed
        long fills = cache.fills();
        assertThat(cache.materialize(sha[1])).hasSameBinaryContentAs(dir.resolve("evict-1"));
        assertThat(cache.fills()).isEqualTo(fills + 1);

        // a new cache on the same directory counts the files already there against its bound
        ArtifactFileCache again = cache(dir.resolve("cache-evict"), 2L * CHUNK);
        again.materialize(sha[0]);
        assertThat(again.cachedBytes()).isLessThanOrEqualTo(again.maxBytes());
        try (var files = Files.walk(dir.resolve("cache-evict"))) {
            assertThat(files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum())
                    .as("on disk").isLessThanOrEqualTo(again.maxBytes());
        }
    }

    @Test
    void aCorruptedCacheFileIsDetectedAndRefetched() throws Exception {
        Path src = dir.resolve("corrupt.cs");
        randomFile(src, 3L * CHUNK / 2, 7);
        String sha = repo.put(ArtifactKind.CONSTRAINT_SYSTEM, src, MADE);
        ArtifactFileCache cache = cache(dir.resolve("cache-corrupt"), 1L << 30);
        Path f = cache.materialize(sha);
        assertThat(cache.fills()).isEqualTo(1);
        assertThat(cache.materialize(sha)).isEqualTo(f);
        assertThat(cache.fills()).as("a good cached file is used").isEqualTo(1);

        byte[] bytes = Files.readAllBytes(f);
        bytes[CHUNK + 1] ^= 1;
        Files.write(f, bytes);
        Path again = cache.materialize(sha);
        assertThat(cache.fills()).as("refetched").isEqualTo(2);
        assertThat(again).hasSameBinaryContentAs(src);
    }

    @Test
    void aChangedChunkInTheDatabaseIsRefused() throws Exception {
        Path src = dir.resolve("tampered.pk");
        randomFile(src, 2L * CHUNK + 5, 9);
        String sha = repo.put(ArtifactKind.PROVING_KEY, src, MADE);
        jdbc.sql("UPDATE artifact_chunks SET bytes = overlay(bytes placing '\\x00'::bytea from 10 for 1) WHERE sha256 = ? AND seq = 1")
                .param(sha).update();
        ArtifactFileCache cache = cache(dir.resolve("cache-tampered"), 1L << 30);
        assertThatThrownBy(() -> cache.materialize(sha)).hasMessageContaining("does not match its SHA-256");
        try (var files = Files.walk(cache.dir())) {
            assertThat(files.filter(Files::isRegularFile).toList()).as("nothing installed").isEmpty();
        }
        assertThatThrownBy(() -> repo.find(sha)).hasMessageContaining("does not match its SHA-256");
    }
}
