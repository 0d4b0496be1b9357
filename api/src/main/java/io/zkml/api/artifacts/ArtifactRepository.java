package io.zkml.api.artifacts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.unit.DataSize;

/**
 * Content-addressed artifacts in PostgreSQL: the key is the SHA-256 of the bytes, so storing the
 * same bytes twice is a no-op and a reader can check what it got.
 *
 * <p>The bytes are stored in chunks of at most {@code zkml.artifacts.chunk-size} (default 4 MB,
 * table {@code artifact_chunks}, V44) and read back one chunk at a time: a proving key of a gigabyte
 * is written from its file and read into a file (the {@link ArtifactFileCache}) without ever being
 * one value in memory. Rows written before V44 hold their bytes in {@code artifacts.bytes}; they are
 * read as they are.
 */
@Repository
public class ArtifactRepository {

    /** The default chunk size. */
    public static final DataSize DEFAULT_CHUNK_SIZE = DataSize.ofMegabytes(4);

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final TransactionTemplate tx;
    private final int chunkSize;

    @Autowired
    public ArtifactRepository(JdbcClient jdbc, JsonMapper json, TransactionTemplate tx,
                              @Value("${zkml.artifacts.chunk-size:4MB}") DataSize chunkSize) {
        this.jdbc = jdbc;
        this.json = json;
        this.tx = tx;
        long n = chunkSize.toBytes();
        if (n < 1 || n > 256L * 1024 * 1024) {
            throw new IllegalArgumentException("zkml.artifacts.chunk-size must be between 1 B and 256MB, got " + chunkSize);
        }
        this.chunkSize = (int) n;
    }

    /** The size of the chunks this repository writes. */
    public int chunkSize() {
        return chunkSize;
    }

    /** Stores the bytes (if not there yet) and returns their SHA-256 (lowercase hex). */
    public String put(ArtifactKind kind, byte[] bytes, ArtifactVersions versions) {
        String sha = sha256(bytes);
        store(sha, kind, bytes.length, versions, seq -> {
            int from = (int) Math.min((long) seq * chunkSize, bytes.length);
            int to = (int) Math.min((long) from + chunkSize, bytes.length);
            return Arrays.copyOfRange(bytes, from, to);
        });
        return sha;
    }

    /**
     * Stores the bytes of a file (if not there yet) and returns their SHA-256: the file is read
     * twice, once for its hash and once chunk by chunk into the database, never whole.
     */
    public String put(ArtifactKind kind, Path file, ArtifactVersions versions) {
        try {
            String sha = sha256(file);
            long size = Files.size(file);
            try (InputStream in = Files.newInputStream(file)) {
                store(sha, kind, size, versions, seq -> in.readNBytes(chunkSize));
            }
            return sha;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store artifact " + file, e);
        }
    }

    private interface Chunks {
        byte[] chunk(int seq) throws IOException;
    }

    private void store(String sha, ArtifactKind kind, long size, ArtifactVersions versions, Chunks chunks) {
        int count = (int) ((size + chunkSize - 1) / chunkSize);
        String made = json.writeValueAsString(versions);
        tx.executeWithoutResult(status -> {
            // a concurrent writer of the same bytes holds the row until it committed; then nothing to do
            int inserted = jdbc.sql("""
                    INSERT INTO artifacts (sha256, kind, size_bytes, bytes, chunks, versions)
                    VALUES (?, ?, ?, NULL, ?, ?::jsonb)
                    ON CONFLICT (sha256) DO NOTHING
                    """)
                    .params(sha, kind.dbName(), size, count, made)
                    .update();
            if (inserted == 0) {
                return;
            }
            try {
                long written = 0;
                for (int seq = 0; seq < count; seq++) {
                    byte[] chunk = chunks.chunk(seq);
                    if (chunk.length == 0) {
                        throw new IOException("artifact " + sha + " ended after " + written + " of " + size + " bytes");
                    }
                    written += chunk.length;
                    jdbc.sql("INSERT INTO artifact_chunks (sha256, seq, bytes) VALUES (?, ?, ?)")
                            .params(sha, seq, chunk).update();
                }
                if (written != size) {
                    throw new IOException("artifact " + sha + " has " + written + " bytes, expected " + size);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * The artifact with its bytes in memory, checked against its SHA-256: for the small ones (IR,
     * verifying key, verifier source); large ones are read with {@link #copyTo}.
     */
    public Optional<StoredArtifact> find(String sha256) {
        Optional<Row> row = row(sha256);
        if (row.isEmpty()) {
            return Optional.empty();
        }
        Row r = row.get();
        if (r.size() > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("artifact " + sha256 + " (" + r.size() + " bytes) is too large to read into memory");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) r.size());
        copy(r, out);
        byte[] bytes = out.toByteArray();
        if (!sha256(bytes).equals(sha256)) {
            throw new IllegalStateException("artifact " + sha256 + " in the database does not match its SHA-256");
        }
        return Optional.of(new StoredArtifact(r.sha256(), r.kind(), bytes, r.versions()));
    }

    /**
     * Writes the artifact's bytes to {@code out}, one chunk in memory at a time, and returns how many
     * were written; the caller checks them against the SHA-256 (the {@link ArtifactFileCache} does
     * as it writes its file).
     *
     * @return the size, or {@code -1} if there is no such artifact
     */
    public long copyTo(String sha256, OutputStream out) {
        Optional<Row> row = row(sha256);
        if (row.isEmpty()) {
            return -1;
        }
        return copy(row.get(), out);
    }

    /** The size in bytes of an artifact, if it exists. */
    public Optional<Long> size(String sha256) {
        return jdbc.sql("SELECT size_bytes FROM artifacts WHERE sha256 = ?").param(sha256).query(Long.class).optional();
    }

    private record Row(String sha256, ArtifactKind kind, long size, Integer chunks, ArtifactVersions versions) {
    }

    private Optional<Row> row(String sha256) {
        return jdbc.sql("SELECT sha256, kind, size_bytes, chunks, versions FROM artifacts WHERE sha256 = ?")
                .param(sha256)
                .query((rs, n) -> new Row(rs.getString("sha256"), ArtifactKind.fromDb(rs.getString("kind")),
                        rs.getLong("size_bytes"), (Integer) rs.getObject("chunks"),
                        json.readValue(rs.getString("versions"), ArtifactVersions.class)))
                .optional();
    }

    private long copy(Row r, OutputStream out) {
        try {
            if (r.chunks() == null) {
                // written before V44: the bytes are in the row itself
                byte[] legacy = jdbc.sql("SELECT bytes FROM artifacts WHERE sha256 = ?").param(r.sha256())
                        .query((rs, n) -> rs.getBytes(1)).single();
                out.write(legacy);
                return legacy.length;
            }
            long written = 0;
            for (int seq = 0; seq < r.chunks(); seq++) {
                int s = seq;
                byte[] chunk = jdbc.sql("SELECT bytes FROM artifact_chunks WHERE sha256 = ? AND seq = ?")
                        .params(r.sha256(), s).query((rs, n) -> rs.getBytes(1)).optional()
                        .orElseThrow(() -> new IllegalStateException("artifact " + r.sha256() + " lacks chunk " + s));
                out.write(chunk);
                written += chunk.length;
            }
            if (written != r.size()) {
                throw new IllegalStateException("artifact " + r.sha256() + " has " + written + " bytes in its chunks, "
                        + r.size() + " recorded");
            }
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy artifact " + r.sha256(), e);
        }
    }

    /** The versions recorded for an artifact, without loading its bytes. */
    public Optional<ArtifactVersions> versions(String sha256) {
        return jdbc.sql("SELECT versions FROM artifacts WHERE sha256 = ?")
                .param(sha256)
                .query((rs, n) -> json.readValue(rs.getString(1), ArtifactVersions.class))
                .optional();
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    /** The SHA-256 of a file, read in blocks. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
