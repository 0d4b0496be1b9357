package io.zkml.prover;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Loads {@code libzkml.so} once per process.
 *
 * <p>The library is a resource of the prover jar at {@code /native/<os>-<arch>/libzkml.so}
 * (built by the Maven build from {@code native/}). It is extracted into a content-addressed
 * directory {@code <cache>/<sha256>/libzkml.so}, where {@code <cache>} is the system property
 * {@value #CACHE_DIR_PROPERTY} or {@code ${java.io.tmpdir}/zkml-native}, and loaded with
 * {@link System#load(String)}; both directories are private to this user (0700, refused if a link or
 * another user's), so the file checked is the file loaded. The system property {@value #LIBRARY_PATH_PROPERTY} names a
 * library file to load instead (development). After loading, the library's ABI version must
 * equal {@link #ABI_VERSION}.
 *
 * <p>Only one Go runtime can live in a process: load this library, and no other Go c-shared
 * library, exactly once. Loading from two class loaders fails with an {@link UnsatisfiedLinkError}.
 */
public final class NativeLibrary {

    /** The C ABI version this Java code was written against. */
    public static final int ABI_VERSION = 1;

    /** System property: path of a {@code libzkml.so} to load instead of the bundled one. */
    public static final String LIBRARY_PATH_PROPERTY = "zkml.native.library";

    /** System property: directory in which the bundled library is extracted. */
    public static final String CACHE_DIR_PROPERTY = "zkml.native.cacheDir";

    private static final String LIBRARY_FILE = "libzkml.so";

    private static volatile NativeVersions loaded;

    private NativeLibrary() {
    }

    /**
     * Loads the library if this has not been done yet and returns its versions.
     *
     * @throws NativeProverException with {@link ErrorCode#VERSION_MISMATCH} if the library's
     *     ABI version differs from {@link #ABI_VERSION}
     * @throws UnsatisfiedLinkError if there is no library for this platform or it cannot be loaded
     */
    public static NativeVersions load() {
        NativeVersions v = loaded;
        if (v != null) {
            return v;
        }
        synchronized (NativeLibrary.class) {
            if (loaded == null) {
                Path lib = libraryPath();
                System.load(lib.toString());
                NativeVersions versions = Groth16Prover.parseVersions(NativeBridge.versions());
                if (versions.abiVersion() != ABI_VERSION) {
                    throw new NativeProverException(ErrorCode.VERSION_MISMATCH,
                            "native library " + lib + " has ABI version " + versions.abiVersion()
                                    + ", this prover jar needs " + ABI_VERSION);
                }
                loaded = versions;
            }
            return loaded;
        }
    }

    /** {@code <os>-<arch>} as used in the resource path, e.g. {@code linux-x86_64}. */
    public static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "darwin" : os.replace(' ', '_');
        String a = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
        return o + "-" + a;
    }

    private static Path libraryPath() {
        String override = System.getProperty(LIBRARY_PATH_PROPERTY);
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override).toAbsolutePath();
            if (!Files.isRegularFile(p)) {
                throw new UnsatisfiedLinkError(LIBRARY_PATH_PROPERTY + " names no file: " + p);
            }
            return p;
        }
        String resource = "/native/" + platform() + "/" + LIBRARY_FILE;
        byte[] bytes;
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("no native zkml library for platform " + platform()
                        + " (resource " + resource + " is missing from the prover jar; it is built by"
                        + " `./mvnw -pl prover package`, which needs Go)");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        String sha = sha256(bytes);
        Path base = Path.of(System.getProperty(CACHE_DIR_PROPERTY,
                Path.of(System.getProperty("java.io.tmpdir"), "zkml-native").toString()));
        Path dir = base.resolve(sha);
        Path target = dir.resolve(LIBRARY_FILE);
        try {
            // Private directories (0700, ours, not links): nobody else can swap the file between the
            // hash check below and System.load (no check-then-load race on a shared /tmp).
            privateDirectory(base.toAbsolutePath());
            privateDirectory(dir.toAbsolutePath());
            if (Files.isRegularFile(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    && sha.equals(sha256(Files.readAllBytes(target)))) {
                return target;
            }
            Path tmp = Files.createTempFile(dir, LIBRARY_FILE, ".tmp");
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the native library to " + target, e);
        }
    }

    /**
     * Creates the directory with mode 0700 if missing; refuses one that is a link or belongs to another
     * user, and narrows our own to 0700 (where the file system has POSIX permissions).
     */
    static void privateDirectory(Path dir) throws IOException {
        java.util.Set<java.nio.file.attribute.PosixFilePermission> owner =
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------");
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (dir.getParent() != null) {
                Files.createDirectories(dir.getParent());
            }
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
        if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " is a link or not a directory; set -D" + CACHE_DIR_PROPERTY + " to a directory of this user");
        }
        if (posix) {
            java.nio.file.attribute.UserPrincipal me = dir.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName(System.getProperty("user.name"));
            java.nio.file.attribute.UserPrincipal who = Files.getOwner(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (!who.equals(me)) {
                throw new IOException(dir + " belongs to " + who.getName() + ", not to " + me.getName() + "; set -D"
                        + CACHE_DIR_PROPERTY + " to a directory of this user");
            }
            Files.setPosixFilePermissions(dir, owner);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
