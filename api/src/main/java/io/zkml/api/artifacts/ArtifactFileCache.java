package io.zkml.api.artifacts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

import org.springframework.stereotype.Component;

import io.zkml.api.jobs.WorkerProperties;

/**
 * A per-process disk cache of artifacts, by SHA-256: the native library reads keys and
 * constraint systems from files, PostgreSQL holds the bytes. A file appears atomically (written to
 * a temporary name, checked, renamed), so concurrent readers never see half a file, and a file
 * whose bytes do not match its name is never used.
 */
@Component
public class ArtifactFileCache {

    private final ArtifactRepository artifacts;
    private final Path dir;

    public ArtifactFileCache(ArtifactRepository artifacts, WorkerProperties props) {
        this.artifacts = artifacts;
        this.dir = props.cacheDir().toAbsolutePath().normalize();
    }

    /** The cache directory. */
    public Path dir() {
        return dir;
    }

    /** A fresh path in the cache directory for a file that a native call will write. */
    public Path scratchFile(String suffix) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the artifact cache " + dir, e);
        }
        return dir.resolve(".tmp-" + UUID.randomUUID() + suffix);
    }

    /** The file holding the artifact's bytes, read from PostgreSQL if not cached yet. */
    public Path materialize(String sha256) {
        Path file = pathOf(sha256);
        if (Files.isRegularFile(file)) {
            return file;
        }
        StoredArtifact a = artifacts.find(sha256)
                .orElseThrow(() -> new IllegalStateException("artifact " + sha256 + " is not in the database"));
        if (!ArtifactRepository.sha256(a.bytes()).equals(sha256)) {
            throw new IllegalStateException("artifact " + sha256 + " in the database does not match its SHA-256");
        }
        Path tmp = scratchFile(".part");
        try {
            Files.write(tmp, a.bytes());
            return install(tmp, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write artifact " + sha256 + " to " + dir, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Moves a file that a native call just wrote (and whose bytes were stored as {@code sha256}) into the cache. */
    public Path adopt(Path written, String sha256) {
        try {
            return install(written, pathOf(sha256));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + written + " into the artifact cache", e);
        } finally {
            deleteQuietly(written);
        }
    }

    private Path install(Path tmp, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    private Path pathOf(String sha256) {
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a SHA-256: " + sha256);
        }
        return dir.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover temporary file is harmless
        }
    }
}
