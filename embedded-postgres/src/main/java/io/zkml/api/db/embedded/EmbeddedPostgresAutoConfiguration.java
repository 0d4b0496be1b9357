package io.zkml.api.db.embedded;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Starts the embedded PostgreSQL and offers it as the {@link DataSource} in development mode only
 * ({@code zkml.mode=development}, the jar's default), when {@code spring.datasource.url} is not set
 * (and {@code zkml.embedded-postgres.enabled} is not {@code false}). In production mode this class
 * never matches, whatever else is set: a missing URL is refused at start
 * ({@code io.zkml.api.runtime.ProductionSettings}), never answered with a local database. This class
 * lives in the module {@code embedded-postgres}, which is not in the service's jar: only the
 * development run ({@code make run}) and the tests put it on the classpath (ADR 0026). Runs before Spring Boot's own DataSource auto-configuration, which then backs off.
 * The data source is closed before the server stops (it depends on the server bean), and the server
 * stops with the context only, not in a JVM shutdown hook of its own: JVM hooks run concurrently, so
 * such a hook would stop the server while Spring's hook is still stopping the job workers.
 */
@AutoConfiguration(before = DataSourceAutoConfiguration.class)
@Conditional(EmbeddedPostgresAutoConfiguration.NoDataSourceUrl.class)
@EnableConfigurationProperties(EmbeddedPostgresProperties.class)
public class EmbeddedPostgresAutoConfiguration {

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(EmbeddedPostgresProperties properties) {
        return EmbeddedPostgres.start(properties.toSettings(), false);
    }

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(EmbeddedPostgres postgres) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(postgres.jdbcUrl());
        ds.setUsername(postgres.user());
        ds.setPassword(postgres.password());
        ds.setPoolName("zkml-embedded");
        ds.setMaximumPoolSize(10);
        return ds;
    }

    /** Matches in development mode when {@code spring.datasource.url} is absent or blank and the embedded server is enabled. */
    static final class NoDataSourceUrl extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Environment env = context.getEnvironment();
            // zkml.mode as the service reads it (io.zkml.api.runtime.RuntimeSettings, absent = development);
            // this module does not depend on the service, and anything but development is refused
            String mode = Binder.get(env).bind("zkml.mode", String.class).orElse("development").strip();
            if (!mode.equalsIgnoreCase("development")) {
                return ConditionOutcome.noMatch("zkml.mode is production: the embedded PostgreSQL is for development only");
            }
            if (StringUtils.hasText(env.getProperty("spring.datasource.url"))) {
                return ConditionOutcome.noMatch("spring.datasource.url is set");
            }
            if (!env.getProperty("zkml.embedded-postgres.enabled", Boolean.class, true)) {
                return ConditionOutcome.noMatch("zkml.embedded-postgres.enabled is false");
            }
            return ConditionOutcome.match("no spring.datasource.url: using the embedded PostgreSQL");
        }
    }
}
