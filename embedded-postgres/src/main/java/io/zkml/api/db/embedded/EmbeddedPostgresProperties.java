package io.zkml.api.db.embedded;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the embedded PostgreSQL, used only when {@code spring.datasource.url} is not set.
 *
 * @param enabled whether to start it at all when no {@code spring.datasource.url} is set (default
 *     {@code true}; with {@code false} and no URL the service has no database and fails to start)
 * @param dataDir the data directory; it survives restarts (default {@code ./.zkml/pgdata}, relative to
 *     the working directory)
 * @param port the TCP port on 127.0.0.1 (default {@code 54329})
 * @param database the database the service uses (default {@code zkml})
 * @param binariesDir where the PostgreSQL binaries are extracted once, shared by all processes
 *     (default {@code ${java.io.tmpdir}/zkml-embedded-pg})
 * @param startTimeout how long to wait for the server to accept connections (default {@code 60s})
 */
@ConfigurationProperties("zkml.embedded-postgres")
public record EmbeddedPostgresProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("./.zkml/pgdata") Path dataDir,
        @DefaultValue("54329") int port,
        @DefaultValue("zkml") String database,
        Path binariesDir,
        @DefaultValue("60s") Duration startTimeout) {

    /** The launcher settings these properties stand for. */
    public EmbeddedPostgres.Settings toSettings() {
        Path binaries = binariesDir != null ? binariesDir
                : Path.of(System.getProperty("java.io.tmpdir"), "zkml-embedded-pg");
        return new EmbeddedPostgres.Settings(dataDir, port, database, binaries, startTimeout);
    }
}
