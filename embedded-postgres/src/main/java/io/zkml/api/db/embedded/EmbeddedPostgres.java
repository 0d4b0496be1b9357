package io.zkml.api.db.embedded;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run from the binaries on the class path, for {@code make run} and the tests
 * (ADR 0001). Unlike zonky's {@code EmbeddedPostgres} it works when this process runs as root:
 * then every PostgreSQL program runs as the unprivileged uid/gid {@value #UNPRIVILEGED_ID} through
 * {@code setpriv}, and the data directory belongs to that user.
 *
 * <p>{@link #start(Settings)}: extract the binaries once ({@link EmbeddedPostgresBinaries}), lock
 * the data directory against a second process, remove what an interrupted initialisation left
 * behind, initialise the data directory if it is empty (or absent), stop a server left running by a
 * process that died, {@code pg_ctl start} on {@code 127.0.0.1:<port>} (no Unix socket) and wait
 * until it accepts connections, then create the database if it does not exist (if that fails, the
 * server is stopped again). {@link #close()} runs {@code pg_ctl stop -m fast}; unless started with
 * {@code stopOnJvmExit = false}, a JVM shutdown hook does the same if the process exits without
 * closing. The data survives a stop and start.
 *
 * <p>Initialisation is all or nothing: {@code initdb} writes into a new sibling directory
 * {@code <data-dir>.initdb-<random>}, which is renamed to the data directory only when
 * {@code initdb} has succeeded (an empty data directory is removed first, so it must not be a mount
 * point). If {@code initdb} fails the sibling is deleted; if the process dies during
 * {@code initdb}, the next start (holding the lock, so no other process can be initialising) deletes
 * every {@code <data-dir>.initdb-*} sibling. The data directory therefore either does not exist, is
 * empty, or holds a complete cluster: a failed initialisation never blocks the next start.
 *
 * <p>The server listens on the loopback interface only and is meant for one machine, not for
 * production (set {@code SPRING_DATASOURCE_URL} there). A data directory initialised by this class
 * authenticates {@value #USER} with a generated password ({@code scram-sha-256}), kept in
 * {@code <data-dir>.password} (0600) and given by {@link #password()} (issue 9, defect 2: other local
 * users could connect as superuser under {@code trust}). A data directory initialised before, with
 * {@code trust}, keeps working; {@link #password()} is null for it.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    /** The superuser created by {@code initdb}; it authenticates with {@link #password()}. */
    public static final String USER = "postgres";

    /** uid and gid the server runs as when this process runs as root ({@code nobody}). */
    public static final int UNPRIVILEGED_ID = 65534;

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    /**
     * How to run the server.
     *
     * @param dataDir the data directory (created and initialised if absent or empty)
     * @param port the TCP port on 127.0.0.1
     * @param database the database to create (lowercase letters, digits, underscores)
     * @param binariesCacheDir where the binaries are extracted
     * @param startTimeout how long {@code pg_ctl start} may wait for the server
     */
    public record Settings(Path dataDir, int port, String database, Path binariesCacheDir, Duration startTimeout) {
        public Settings {
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(database, "database");
            Objects.requireNonNull(binariesCacheDir, "binariesCacheDir");
            Objects.requireNonNull(startTimeout, "startTimeout");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be in 1..65535, got " + port);
            }
            if (!DATABASE_NAME.matcher(database).matches()) {
                throw new IllegalArgumentException("database name must match " + DATABASE_NAME + ", got " + database);
            }
            dataDir = dataDir.toAbsolutePath().normalize();
            binariesCacheDir = binariesCacheDir.toAbsolutePath().normalize();
        }
    }

    private final Settings settings;
    private final Path installation;
    private final boolean dropPrivileges;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final InitFaults initFaults;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final Thread shutdownHook;

    private EmbeddedPostgres(Settings settings, Path installation, boolean dropPrivileges,
                             FileChannel lockChannel, FileLock lock, InitFaults initFaults) {
        this.settings = settings;
        this.installation = installation;
        this.dropPrivileges = dropPrivileges;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.initFaults = initFaults;
        this.shutdownHook = new Thread(this::stopQuietly, "embedded-postgres-shutdown");
    }

    /**
     * Test seam for failures during initialisation: extra {@code initdb} arguments (one that makes it
     * fail after it has written files) and a step run after a successful {@code initdb}, just before
     * the new cluster is renamed into place (one that throws stands for a process that dies there).
     */
    interface InitFaults {
        InitFaults NONE = new InitFaults() {
        };

        default List<String> extraInitdbArguments() {
            return List.of();
        }

        default void beforeRename(Path initialised) throws IOException {
        }
    }

    /**
     * Starts the server (initialising the data directory if needed) and creates the database.
     *
     * @throws EmbeddedPostgresException with a message that says what to fix
     */
    public static EmbeddedPostgres start(Settings settings) {
        return start(settings, InitFaults.NONE, true);
    }

    /**
     * Like {@link #start(Settings)}; with {@code stopOnJvmExit = false} no JVM shutdown hook is
     * registered, for an owner that closes the server itself at exit. JVM shutdown hooks run
     * concurrently, so a hook of its own would stop the server while the owner's hook (Spring's
     * context close) is still using it.
     */
    public static EmbeddedPostgres start(Settings settings, boolean stopOnJvmExit) {
        return start(settings, InitFaults.NONE, stopOnJvmExit);
    }

    static EmbeddedPostgres start(Settings settings, InitFaults initFaults) {
        return start(settings, initFaults, true);
    }

    private static EmbeddedPostgres start(Settings settings, InitFaults initFaults, boolean stopOnJvmExit) {
        Objects.requireNonNull(initFaults, "initFaults");
        Path installation = EmbeddedPostgresBinaries.extract(settings.binariesCacheDir());
        boolean root = isRoot();
        Path dataDir = settings.dataDir();
        try {
            EmbeddedPostgresBinaries.createWorldReadableDirectories(dataDir.getParent());
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot create " + dataDir.getParent() + ": " + e.getMessage(), e);
        }
        if (root) {
            requireTraversable(installation.resolve("bin"), "the PostgreSQL binaries");
            requireTraversable(dataDir.getParent(), "the data directory");
        }
        FileChannel channel = null;
        FileLock lock;
        Path lockFile = dataDir.resolveSibling(dataDir.getFileName() + ".lock");
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = channel.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            closeQuietly(channel);
            throw new EmbeddedPostgresException("cannot lock " + lockFile + ": " + e.getMessage()
                    + " (is another zkml process using the data directory " + dataDir + "?)", e);
        }
        if (lock == null) {
            closeQuietly(channel);
            throw new EmbeddedPostgresException("the data directory " + dataDir + " is in use by another process "
                    + "(it holds " + lockFile + "); stop it or set zkml.embedded-postgres.data-dir to another directory");
        }
        EmbeddedPostgres pg = new EmbeddedPostgres(settings, installation, root, channel, lock, initFaults);
        try {
            pg.startServer();
        } catch (RuntimeException e) {
            pg.releaseLock();
            throw e;
        }
        if (stopOnJvmExit) {
            Runtime.getRuntime().addShutdownHook(pg.shutdownHook);
        }
        return pg;
    }

    /** JDBC URL of the database. */
    public String jdbcUrl() {
        return jdbcUrl(settings.database());
    }

    /** The user to connect as ({@value #USER}, with {@link #password()}). */
    public String user() {
        return USER;
    }

    /**
     * The password of {@value #USER}, from {@code <data-dir>.password}; null for a data directory
     * initialised with {@code trust} before issue 9.
     */
    public String password() {
        Path f = passwordFile(settings.dataDir());
        try {
            return Files.isRegularFile(f) ? Files.readString(f).strip() : null;
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot read the embedded PostgreSQL password file " + f + ": "
                    + e.getMessage(), e);
        }
    }

    /** Where the superuser's password is kept: beside the data directory, 0600. */
    public static Path passwordFile(Path dataDir) {
        return dataDir.toAbsolutePath().resolveSibling(dataDir.getFileName() + ".password");
    }

    private static String newPassword() {
        byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public int port() {
        return settings.port();
    }

    public Path dataDir() {
        return settings.dataDir();
    }

    /** Stops the server ({@code pg_ctl stop -m fast}) and releases the data directory. Idempotent. */
    @Override
    public void close() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: this may be the hook itself
        }
        try {
            stopServer();
            log.info("embedded PostgreSQL stopped (data directory {})", dataDir());
        } finally {
            releaseLock();
        }
    }

    /** {@code pg_ctl stop -m fast}, waiting until the server has stopped. */
    private void stopServer() {
        Result r = pgCtl(Duration.ofSeconds(60), "stop", "-D", dataDir().toString(), "-m", "fast", "-w", "-t", "50");
        if (r.exitCode() != 0) {
            throw new EmbeddedPostgresException("pg_ctl stop failed (" + r.exitCode() + "): " + r.output());
        }
    }

    private void stopQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            log.warn("stopping the embedded PostgreSQL failed: {}", e.getMessage());
        }
    }

    private void startServer() {
        Path dataDir = dataDir();
        removeInterruptedInitialisations(dataDir);
        initialiseIfEmpty(dataDir);
        checkMajorVersion(dataDir);
        if (dropPrivileges) {
            chownRecursively(dataDir);
        }
        if (Files.exists(dataDir.resolve("postmaster.pid"))) {
            // We hold the lock, so a running server here was left behind by a process that died.
            Result status = pgCtl(Duration.ofSeconds(10), "status", "-D", dataDir.toString());
            if (status.exitCode() == 0) {
                log.warn("a PostgreSQL server left running by an earlier process uses {}; stopping it", dataDir);
                pgCtl(Duration.ofSeconds(60), "stop", "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "50");
            }
        }
        Path logFile = dataDir.resolve("postgresql.log");
        String options = "-p " + port() + " -h 127.0.0.1 -c unix_socket_directories= -c max_connections=100";
        long timeoutSeconds = Math.max(1, settings.startTimeout().toSeconds());
        Result r = pgCtl(settings.startTimeout().plusSeconds(10), "start", "-D", dataDir.toString(), "-l", logFile.toString(),
                "-w", "-t", Long.toString(timeoutSeconds), "-o", options);
        if (r.exitCode() != 0) {
            throw new EmbeddedPostgresException("the embedded PostgreSQL did not start on 127.0.0.1:" + port()
                    + " (is the port in use? set zkml.embedded-postgres.port): " + r.output().strip()
                    + "\n--- " + logFile + " (end) ---\n" + tail(logFile, 20));
        }
        try {
            createDatabase();
        } catch (RuntimeException e) {
            // start() fails: the caller gets no instance to close, so stop the server here
            try {
                stopServer();
            } catch (RuntimeException stopFailure) {
                e.addSuppressed(stopFailure);
            }
            throw e;
        }
        log.info("embedded PostgreSQL {} listening on 127.0.0.1:{}, data directory {}{}", majorVersion(dataDir), port(),
                dataDir, dropPrivileges ? " (running as uid " + UNPRIVILEGED_ID + " because this process runs as root)" : "");
    }

    /** The prefix of the sibling directories {@code initdb} writes into: {@code <data-dir>.initdb-}. */
    static String initdbPrefix(Path dataDir) {
        return dataDir.getFileName() + ".initdb-";
    }

    /**
     * Deletes the {@code <data-dir>.initdb-*} siblings an initialisation left behind when its process
     * died. Only called while holding the data directory's lock, so none of them is in use.
     */
    private static void removeInterruptedInitialisations(Path dataDir) {
        List<Path> stale = new ArrayList<>(initdbSiblings(dataDir));
        if (Files.isSymbolicLink(dataDir)) {
            try {
                stale.addAll(initdbSiblings(dataDir.toRealPath()));
            } catch (IOException e) {
                // a dangling link: nothing was initialised through it
            }
        }
        for (Path p : stale) {
            log.warn("removing {}, left behind by an initialisation of {} that did not finish", p, dataDir);
            try {
                deleteRecursively(p);
            } catch (IOException e) {
                throw new EmbeddedPostgresException("cannot remove " + p + ", left behind by an interrupted initdb: "
                        + e.getMessage() + "; delete it by hand", e);
            }
        }
    }

    private static List<Path> initdbSiblings(Path dir) {
        String prefix = initdbPrefix(dir);
        try (Stream<Path> s = Files.list(dir.getParent())) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot list " + dir.getParent() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Initialises the data directory unless it holds a cluster: {@code initdb} into a new sibling
     * directory, then rename that to the data directory. An existing empty data directory is replaced.
     */
    private void initialiseIfEmpty(Path dataDir) {
        try {
            if (Files.isDirectory(dataDir)) {
                try (Stream<Path> s = Files.list(dataDir)) {
                    if (s.findAny().isPresent()) {
                        if (!Files.isRegularFile(dataDir.resolve("PG_VERSION"))) {
                            throw new EmbeddedPostgresException(dataDir + " is not empty and is not a PostgreSQL data "
                                    + "directory (no PG_VERSION); choose another zkml.embedded-postgres.data-dir");
                        }
                        return;
                    }
                }
            } else if (Files.exists(dataDir)) {
                throw new EmbeddedPostgresException(dataDir + " exists and is not a directory; choose another "
                        + "zkml.embedded-postgres.data-dir");
            }
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot read the data directory " + dataDir + ": " + e.getMessage(), e);
        }
        Path target;
        Path fresh;
        try {
            // A symbolic link to an empty directory: initialise (and replace) the directory it names.
            target = Files.exists(dataDir) ? dataDir.toRealPath() : dataDir;
            // createTempDirectory makes it with mode 0700, which initdb requires.
            fresh = Files.createTempDirectory(target.getParent(), initdbPrefix(target));
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot prepare a directory for initdb next to " + dataDir + ": "
                    + e.getMessage(), e);
        }
        boolean moved = false;
        Path pwfile = null;
        try {
            Files.setPosixFilePermissions(fresh, OWNER_ONLY);
            if (dropPrivileges) {
                chown(fresh);
            }
            // issue 9 (defect 2): a generated password instead of trust; kept beside the data directory
            String password = newPassword();
            Path keep = passwordFile(dataDir);
            Files.deleteIfExists(keep);
            Files.createFile(keep, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(keep, password + "\n");
            pwfile = fresh.resolveSibling(fresh.getFileName() + ".pw");
            Files.createFile(pwfile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(pwfile, password + "\n");
            if (dropPrivileges) {
                chown(pwfile);
            }
            List<String> cmd = new ArrayList<>(List.of(installation.resolve("bin/initdb").toString(), "-D", fresh.toString(),
                    "-U", USER, "-A", "scram-sha-256", "--pwfile=" + pwfile, "-E", "UTF8", "--no-locale",
                    "--no-instructions"));
            cmd.addAll(initFaults.extraInitdbArguments());
            Result r = run(Duration.ofMinutes(2), cmd.toArray(String[]::new));
            Files.deleteIfExists(pwfile);
            if (r.exitCode() != 0) {
                throw new EmbeddedPostgresException("initdb failed for " + dataDir + " (" + r.exitCode() + "): " + r.output());
            }
            initFaults.beforeRename(fresh);
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.delete(target); // empty, checked above; we hold the lock
                } catch (IOException e) {
                    throw new EmbeddedPostgresException("cannot replace the empty data directory " + target + " by the "
                            + "initialised one (" + e.getMessage() + "); if it is a mount point, set "
                            + "zkml.embedded-postgres.data-dir to a directory inside it", e);
                }
            }
            Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
            syncDirectory(target.getParent());
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot initialise the data directory " + dataDir + ": " + e.getMessage(), e);
        } finally {
            if (pwfile != null) {
                try {
                    Files.deleteIfExists(pwfile);
                } catch (IOException e) {
                    log.warn("cannot remove {}: {}", pwfile, e.getMessage());
                }
            }
            if (!moved) {
                try {
                    deleteRecursively(fresh);
                } catch (IOException e) {
                    log.warn("cannot remove {} after a failed initialisation ({}); the next start removes it", fresh,
                            e.getMessage());
                }
            }
        }
        log.info("initialised a new PostgreSQL data directory in {}", dataDir);
    }

    /** Makes a rename in {@code dir} durable (best effort: not every file system can sync a directory). */
    private static void syncDirectory(Path dir) {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("cannot sync {}: {}", dir, e.getMessage());
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }

    private void checkMajorVersion(Path dataDir) {
        String have = majorVersion(dataDir);
        String binaries = installedMajorVersion();
        if (binaries != null && !binaries.equals(have)) {
            throw new EmbeddedPostgresException("the data directory " + dataDir + " was made by PostgreSQL " + have
                    + ", the embedded binaries are PostgreSQL " + binaries + "; upgrade it with pg_upgrade or choose "
                    + "another zkml.embedded-postgres.data-dir");
        }
    }

    private static String majorVersion(Path dataDir) {
        try {
            return Files.readString(dataDir.resolve("PG_VERSION"), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot read " + dataDir.resolve("PG_VERSION") + ": " + e.getMessage(), e);
        }
    }

    /** The major version of the binaries, from {@code postgres --version}, or null if unknown. */
    private String installedMajorVersion() {
        Result r = run(Duration.ofSeconds(30), installation.resolve("bin/postgres").toString(), "--version");
        var m = Pattern.compile("(\\d+)\\.\\d+").matcher(r.output());
        return r.exitCode() == 0 && m.find() ? m.group(1) : null;
    }

    private void createDatabase() {
        Properties p = new Properties();
        p.setProperty("user", USER);
        String password = password();
        if (password != null) {
            p.setProperty("password", password);
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), p)) {
            boolean exists;
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, settings.database());
                try (ResultSet rs = ps.executeQuery()) {
                    exists = rs.next();
                }
            }
            if (!exists) {
                try (Statement st = c.createStatement()) {
                    // the name is checked against DATABASE_NAME, so quoting it is safe
                    st.execute("CREATE DATABASE \"" + settings.database() + "\"");
                }
            }
        } catch (SQLException e) {
            throw new EmbeddedPostgresException("cannot create the database " + settings.database() + " on 127.0.0.1:"
                    + port() + ": " + e.getMessage(), e);
        }
    }

    private String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    private Result pgCtl(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(installation.resolve("bin/pg_ctl").toString());
        cmd.addAll(List.of(args));
        return run(timeout, cmd.toArray(String[]::new));
    }

    /** Runs a PostgreSQL program, as the unprivileged user when this process is root. */
    private Result run(Duration timeout, String... command) {
        List<String> cmd = new ArrayList<>();
        if (dropPrivileges) {
            cmd.addAll(List.of("setpriv", "--reuid=" + UNPRIVILEGED_ID, "--regid=" + UNPRIVILEGED_ID, "--clear-groups", "--"));
        }
        cmd.addAll(List.of(command));
        Path out = null;
        try {
            // Output goes to a file, not a pipe: pg_ctl start leaves a daemon behind, which must not
            // hold our pipe open.
            out = Files.createTempFile("zkml-pg-", ".out");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().put("LC_ALL", "C");
            pb.environment().remove("PGDATA");
            Process proc = pb.start();
            if (!proc.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                proc.destroyForcibly();
                throw new EmbeddedPostgresException(String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Result(proc.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            String hint = dropPrivileges && e.getMessage() != null && e.getMessage().contains("setpriv")
                    ? " (running as root needs setpriv from util-linux to start PostgreSQL as uid " + UNPRIVILEGED_ID + ")" : "";
            throw new EmbeddedPostgresException("cannot run " + command[0] + ": " + e.getMessage() + hint, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedPostgresException("interrupted while running " + command[0], e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    private record Result(int exitCode, String output) {
    }

    /** Fails unless uid {@value #UNPRIVILEGED_ID} can traverse every directory from / down to {@code dir}. */
    private static void requireTraversable(Path dir, String what) {
        for (Path p = dir; p != null; p = p.getParent()) {
            PosixFileAttributes a;
            try {
                a = Files.readAttributes(p, PosixFileAttributes.class);
            } catch (IOException e) {
                throw new EmbeddedPostgresException("cannot read the permissions of " + p + ": " + e.getMessage(), e);
            }
            if (!traversableByUnprivileged(p, a)) {
                throw new EmbeddedPostgresException("this process runs as root, so the embedded PostgreSQL runs as uid "
                        + UNPRIVILEGED_ID + " (nobody), which cannot enter " + p + " (mode "
                        + PosixFilePermissions.toString(a.permissions()) + ") on the way to " + what + " in " + dir
                        + ": make it traversable (chmod o+x " + p + "), or set zkml.embedded-postgres.data-dir "
                        + "(or .binaries-dir) to a directory below a traversable path such as /tmp or /var/lib");
            }
        }
    }

    private static boolean traversableByUnprivileged(Path p, PosixFileAttributes a) {
        Set<PosixFilePermission> perms = a.permissions();
        try {
            int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int gid = (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
            if (uid == UNPRIVILEGED_ID) {
                return perms.contains(PosixFilePermission.OWNER_EXECUTE);
            }
            if (gid == UNPRIVILEGED_ID) {
                return perms.contains(PosixFilePermission.GROUP_EXECUTE);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // fall back to the "others" bits
        }
        return perms.contains(PosixFilePermission.OTHERS_EXECUTE);
    }

    private static void chown(Path p) throws IOException {
        Files.setAttribute(p, "unix:uid", UNPRIVILEGED_ID, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", UNPRIVILEGED_ID, LinkOption.NOFOLLOW_LINKS);
    }

    /** Gives the data directory to the unprivileged user (it may have been made by another user). */
    private static void chownRecursively(Path dataDir) {
        try {
            if ((Integer) Files.getAttribute(dataDir, "unix:uid") == UNPRIVILEGED_ID) {
                return;
            }
            try (Stream<Path> s = Files.walk(dataDir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    chown(p);
                }
            }
        } catch (IOException e) {
            throw new EmbeddedPostgresException("cannot give " + dataDir + " to uid " + UNPRIVILEGED_ID + ": " + e.getMessage(), e);
        }
    }

    /** Whether this process runs with effective uid 0 (the owner of {@code /proc/self} is the euid). */
    static boolean isRoot() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void releaseLock() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }
}
