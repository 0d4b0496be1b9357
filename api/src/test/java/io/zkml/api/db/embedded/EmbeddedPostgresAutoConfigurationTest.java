package io.zkml.api.db.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.zkml.api.testing.TestPostgres;

class EmbeddedPostgresAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EmbeddedPostgresAutoConfiguration.class, DataSourceAutoConfiguration.class));

    @TempDir
    Path dir;

    @Test
    void withoutADataSourceUrlTheEmbeddedServerBecomesTheDataSourceAndStopsWithTheContext() {
        Path dataDir = TestPostgres.traversable(dir).resolve("pgdata");
        runner.withPropertyValues("zkml.embedded-postgres.data-dir=" + dataDir,
                        "zkml.embedded-postgres.port=" + TestPostgres.freePort())
                .run(context -> {
                    assertThat(context).hasSingleBean(EmbeddedPostgres.class).hasSingleBean(DataSource.class);
                    try (Connection c = context.getBean(DataSource.class).getConnection()) {
                        assertThat(c.getMetaData().getURL()).endsWith("/zkml");
                        assertThat(c.getMetaData().getDatabaseProductVersion()).startsWith("18.");
                    }
                });
        // The context is closed: the server is stopped and the data directory is free again.
        assertThat(dataDir.resolve("postmaster.pid")).doesNotExist();
        try (EmbeddedPostgres again = EmbeddedPostgres.start(new EmbeddedPostgres.Settings(dataDir, TestPostgres.freePort(),
                "zkml", TestPostgres.settings(dir).binariesCacheDir(), java.time.Duration.ofSeconds(60)))) {
            assertThat(again.jdbcUrl()).endsWith("/zkml");
        }
    }

    @Test
    void withADataSourceUrlNoEmbeddedServerIsStarted() {
        runner.withPropertyValues("spring.datasource.url=jdbc:postgresql://db.invalid:5432/zkml")
                .run(context -> assertThat(context).doesNotHaveBean(EmbeddedPostgres.class).hasSingleBean(DataSource.class));
    }

    @Test
    void itCanBeSwitchedOff() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EmbeddedPostgresAutoConfiguration.class))
                .withPropertyValues("zkml.embedded-postgres.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(EmbeddedPostgres.class));
    }

    @Test
    void itsDefaultsAreTheDocumentedOnes() {
        new ApplicationContextRunner()
                .withUserConfiguration(PropertiesOnly.class)
                .run(context -> {
                    EmbeddedPostgresProperties p = context.getBean(EmbeddedPostgresProperties.class);
                    assertThat(p.enabled()).isTrue();
                    assertThat(p.dataDir().normalize()).isEqualTo(Path.of(".zkml/pgdata"));
                    assertThat(p.port()).isEqualTo(54329);
                    assertThat(p.database()).isEqualTo("zkml");
                    assertThat(p.toSettings().binariesCacheDir())
                            .isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "zkml-embedded-pg").toAbsolutePath());
                });
    }

    @org.springframework.boot.context.properties.EnableConfigurationProperties(EmbeddedPostgresProperties.class)
    static class PropertiesOnly {
    }
}
