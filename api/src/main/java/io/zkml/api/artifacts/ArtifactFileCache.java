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
 * whose bytes do not match its name is never used: a cached file is hashed again each time it is
 * handed out, and one whose hash is wrong is replaced from PostgreSQL. The directory is private to
 * this user ({@code 0700}, created so, and refused if another user owns it), so that nobody else can
 * swap a key between the check and the native library's read (issue 7).
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
            ensurePrivateDir();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the artifact cache " + dir, e);
        }
        return dir.resolve(".tmp-" + UUID.randomUUID() + suffix);
    }

    /** The file holding the artifact's bytes, read from PostgreSQL if not cached yet. */
    public Path materialize(String sha256) {
        Path file = pathOf(sha256);
        if (Files.isRegularFile(file)) {
            if (sha256Of(file).equals(sha256)) {
                return file;
            }
            // changed on disk: never used, replaced from the database below
            deleteQuietly(file);
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

    private volatile boolean checked;

    /**
     * Creates the directory with mode 0700 if it is missing; refuses one owned by another user and
     * narrows the mode of our own to 0700 (on file systems with POSIX permissions).
     */
    private void ensurePrivateDir() throws IOException {
        if (checked && Files.isDirectory(dir)) {
            return;
        }
        java.util.Set<java.nio.file.attribute.PosixFilePermission> owner =
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------");
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!Files.exists(dir)) {
            Files.createDirectories(dir.getParent());
            try {
                if (posix) {
                    Files.createDirectory(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(owner));
                } else {
                    Files.createDirectory(dir);
                }
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // created meanwhile: checked below
            }
        }
        if (posix) {
            java.nio.file.attribute.UserPrincipal me = dir.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName(System.getProperty("user.name"));
            java.nio.file.attribute.UserPrincipal who = Files.getOwner(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (!who.equals(me) || Files.isSymbolicLink(dir)) {
                throw new IOException("the artifact cache " + dir + " belongs to " + who.getName() + " (or is a link), not to "
                        + me.getName() + "; set zkml.worker.cache-dir to a directory of this user");
            }
            Files.setPosixFilePermissions(dir, owner);
        }
        checked = true;
    }

    private static String sha256Of(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            return "";
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
