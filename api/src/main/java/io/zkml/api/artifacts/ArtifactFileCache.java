package io.zkml.api.artifacts;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

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
 *
 * <p>Bounded (issue 9): a fill streams the artifact from PostgreSQL chunk by chunk into the file
 * (never the whole key in memory), and once the files this cache knows of exceed
 * {@code zkml.worker.cache-max-bytes} the least recently used ones are deleted (not the one just
 * filled, not one in use through {@link #withFile} or {@link #acquire}: reference-counted pins,
 * re-checked under the artifact's lock at the moment of the delete); a deleted file is read again
 * when needed.
 */
@Component
public class ArtifactFileCache {

    private final ArtifactRepository artifacts;
    private final Path dir;
    private final long maxBytes;

    public ArtifactFileCache(ArtifactRepository artifacts, WorkerProperties props) {
        this.artifacts = artifacts;
        this.dir = props.cacheDir().toAbsolutePath().normalize();
        this.maxBytes = props.cacheMaxBytes().toBytes();
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

    /**
     * The file holding the artifact's bytes, read from PostgreSQL if not cached yet (streamed chunk
     * by chunk into a temporary file through a SHA-256 digest, installed only if the digest matches).
     * The file may be evicted by a later fill once this returns; a caller that opens it later than at
     * once, or holds several files, uses {@link #withFile} or {@link #acquire}.
     */
    public Path materialize(String sha256) {
        Path file = fill(sha256);
        // issue 9: evicted outside the artifact's lock (evict takes each victim's lock in turn; with
        // this one held, two fills evicting each other's files could deadlock)
        evict(sha256);
        return file;
    }

    private Path fill(String sha256) {
        Path file = pathOf(sha256);
        synchronized (lockOf(sha256)) {
            if (Files.isRegularFile(file)) {
                if (sha256Of(file).equals(sha256)) {
                    touch(sha256, file);
                    return file;
                }
                // changed on disk: never used, replaced from the database below
                deleteQuietly(file);
                forget(sha256);
            }
            Path tmp = scratchFile(".part");
            try {
                MessageDigest md = ArtifactRepository.digest();
                long size;
                try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16), md)) {
                    size = artifacts.copyTo(sha256, out);
                }
                if (size < 0) {
                    throw new IllegalStateException("artifact " + sha256 + " is not in the database");
                }
                if (!HexFormat.of().formatHex(md.digest()).equals(sha256)) {
                    throw new IllegalStateException("artifact " + sha256 + " in the database does not match its SHA-256");
                }
                Path installed = install(tmp, file);
                touch(sha256, installed);
                fills.incrementAndGet();
                return installed;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write artifact " + sha256 + " to " + dir, e);
            } finally {
                deleteQuietly(tmp);
            }
        }
    }

    /** A function of a cached file. */
    @FunctionalInterface
    public interface FileFunction<T> {
        T apply(Path file) throws Exception;
    }

    /**
     * Runs {@code fn} on the artifact's file, which is not evicted while {@code fn} runs (e.g. while
     * the native library reads a key from it).
     */
    public <T> T withFile(String sha256, FileFunction<T> fn) throws Exception {
        try (Pinned p = acquire(sha256)) {
            return fn.apply(p.path());
        }
    }

    /**
     * Issue 9: a cached file held in the cache (reference-counted) until {@link #close}: not evicted
     * meanwhile, however many other files are filled. For callers that hold several files at once
     * or open them after other work (a ceremony's chain of states, its phase-1 file).
     */
    public final class Pinned implements AutoCloseable {
        private final String sha256;
        private final Path path;
        private boolean closed;

        private Pinned(String sha256, Path path) {
            this.sha256 = sha256;
            this.path = path;
        }

        /** The file; its bytes were checked against the SHA-256 when it was acquired. */
        public Path path() {
            return path;
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            pin(sha256, -1);
        }
    }

    /** The artifact's file, pinned until the returned {@link Pinned} is closed. */
    public Pinned acquire(String sha256) {
        pin(sha256, +1);
        try {
            return new Pinned(sha256, materialize(sha256));
        } catch (RuntimeException | Error e) {
            pin(sha256, -1);
            throw e;
        }
    }

    /** Whether the artifact is pinned now (tests). */
    boolean pinned(String sha256) {
        synchronized (index) {
            return pins.containsKey(sha256);
        }
    }

    /** How many times an artifact was read from PostgreSQL into this cache (tests, metrics). */
    public long fills() {
        return fills.get();
    }

    /** The bytes of the cached files this cache knows of. */
    public long cachedBytes() {
        synchronized (index) {
            return index.values().stream().mapToLong(Entry::size).sum();
        }
    }

    /** How many files were evicted to keep the cache under its bound (metrics). */
    public long evictions() {
        return evictions.get();
    }

    /** The bound on the cache's bytes. */
    public long maxBytes() {
        return maxBytes;
    }

    private record Entry(long size) {
    }

    private final AtomicLong fills = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    /** Known cached files by SHA-256, least recently used first. */
    private final LinkedHashMap<String, Entry> index = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Integer> pins = new HashMap<>();
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();
    private volatile boolean scanned;

    private Object lockOf(String sha256) {
        return locks.computeIfAbsent(sha256, k -> new Object());
    }

    private void pin(String sha256, int delta) {
        synchronized (index) {
            pins.merge(sha256, delta, (a, b) -> a + b == 0 ? null : a + b);
        }
    }

    private void touch(String sha256, Path file) {
        scanOnce();
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            size = 0;
        }
        synchronized (index) {
            index.put(sha256, new Entry(size));
        }
    }

    private void forget(String sha256) {
        synchronized (index) {
            index.remove(sha256);
        }
    }

    /**
     * Files left by an earlier run of this process count against the bound too: they enter the
     * index once, oldest (by modification time) first.
     */
    private void scanOnce() {
        if (scanned) {
            return;
        }
        synchronized (index) {
            if (scanned) {
                return;
            }
            List<Path> found = new ArrayList<>();
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.walk(dir, 2)) {
                    s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                            .filter(p -> p.getFileName().toString().matches("[0-9a-f]{64}"))
                            .forEach(found::add);
                } catch (IOException | UncheckedIOException e) {
                    // an unreadable directory is refused when it is used
                }
            }
            found.sort(Comparator.comparing(ArtifactFileCache::modified));
            for (Path p : found) {
                try {
                    index.putIfAbsent(p.getFileName().toString(), new Entry(Files.size(p)));
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
            scanned = true;
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /**
     * Deletes least recently used files until the cache is within {@code zkml.worker.cache-max-bytes};
     * never the file just filled ({@code keep}) nor a pinned one. A file that the native library
     * already opened stays readable to it after the delete.
     */
    private void evict(String keep) {
        List<String> victims = new ArrayList<>();
        synchronized (index) {
            long total = index.values().stream().mapToLong(Entry::size).sum();
            for (Iterator<Map.Entry<String, Entry>> it = index.entrySet().iterator(); it.hasNext() && total > maxBytes; ) {
                Map.Entry<String, Entry> e = it.next();
                if (e.getKey().equals(keep) || pins.containsKey(e.getKey())) {
                    continue;
                }
                total -= e.getValue().size();
                victims.add(e.getKey());
                it.remove();
            }
        }
        for (String sha : victims) {
            // issue 9: chosen under the index's lock, deleted under the artifact's: a reader that
            // pinned it (or a fill that put it back) since it was chosen keeps it. A reader pins
            // before it takes the artifact's lock, so it either sees the file deleted here (and
            // fills it again) or is seen here.
            synchronized (lockOf(sha)) {
                synchronized (index) {
                    if (pins.containsKey(sha) || index.containsKey(sha)) {
                        continue;
                    }
                }
                deleteQuietly(pathOf(sha));
            }
            evictions.incrementAndGet();
        }
    }

    /** Moves a file that a native call just wrote (and whose bytes were stored as {@code sha256}) into the cache. */
    public Path adopt(Path written, String sha256) {
        try {
            Path file;
            synchronized (lockOf(sha256)) {
                file = install(written, pathOf(sha256));
                touch(sha256, file);
            }
            evict(sha256);
            return file;
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
