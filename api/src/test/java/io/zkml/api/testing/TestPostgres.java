package io.zkml.api.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.springframework.test.context.DynamicPropertyRegistry;

import io.zkml.api.db.embedded.EmbeddedPostgres;

/** Embedded PostgreSQL for tests: a data directory under a temporary directory, a free port. */
public final class TestPostgres {

    private TestPostgres() {
    }

    /** Settings for a server whose data lives in {@code <dir>/pgdata}. */
    public static EmbeddedPostgres.Settings settings(Path dir) {
        return new EmbeddedPostgres.Settings(traversable(dir).resolve("pgdata"), freePort(), "zkml",
                Path.of(System.getProperty("java.io.tmpdir"), "zkml-embedded-pg"), Duration.ofSeconds(60));
    }

    /**
     * JUnit creates temporary directories with mode 0700; as root the server runs as another user,
     * who must be able to enter them.
     */
    public static Path traversable(Path dir) {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * For a {@code @DynamicPropertySource} of a whole-service test: a fresh embedded PostgreSQL
     * (data in {@code target/test-postgres/<uuid>/pgdata}, a free port) and job workers with their
     * artifact cache beside it, polling every 200 ms.
     */
    public static void register(DynamicPropertyRegistry registry) {
        Path dir = registerDatabase(registry);
        registry.add("zkml.worker.cache-dir", () -> dir.resolve("artifact-cache").toString());
        registry.add("zkml.worker.poll-interval", () -> "200ms");
    }

    /**
     * The database part of {@link #register}: a fresh data directory under
     * {@code target/test-postgres/<uuid>} and a free port; returns that directory.
     */
    public static Path registerDatabase(DynamicPropertyRegistry registry) {
        Path dir = Path.of("target", "test-postgres", UUID.randomUUID().toString()).toAbsolutePath();
        registry.add("zkml.embedded-postgres.data-dir", () -> dir.resolve("pgdata").toString());
        registry.add("zkml.embedded-postgres.port", TestPostgres::freePort);
        registry.add("zkml.auth.development-key-file", () -> dir.resolve("dev-api-key").toString());
        return dir;
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A pooled data source on the server with the real migrations applied. */
    public static HikariDataSource migratedDataSource(EmbeddedPostgres pg) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(pg.jdbcUrl());
        ds.setUsername(pg.user());
        ds.setPassword(pg.password());
        ds.setMaximumPoolSize(8);
        migrate(ds);
        return ds;
    }

    public static void migrate(DataSource ds) {
        Flyway.configure().dataSource(ds).locations("classpath:db/migrations").load().migrate();
    }
}
