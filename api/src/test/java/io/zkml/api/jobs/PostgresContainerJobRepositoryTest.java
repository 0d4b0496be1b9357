package io.zkml.api.jobs;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.postgresql.PostgreSQLContainer;

import io.zkml.api.testing.TestPostgres;

/**
 * The job queue checks of {@link AbstractJobRepositoryTest} on the official {@code postgres:18} image
 * (Testcontainers), with the real migrations: the same server a {@code docker compose} deployment
 * uses. Without a Docker daemon the whole class is reported as skipped.
 */
@Testcontainers(disabledWithoutDocker = true)
class PostgresContainerJobRepositoryTest extends AbstractJobRepositoryTest {

    @Container
    static final PostgreSQLContainer POSTGRES = new PostgreSQLContainer("postgres:18");

    private static HikariDataSource ds;

    @BeforeAll
    static void migrate() {
        ds = new HikariDataSource();
        ds.setJdbcUrl(POSTGRES.getJdbcUrl());
        ds.setUsername(POSTGRES.getUsername());
        ds.setPassword(POSTGRES.getPassword());
        ds.setMaximumPoolSize(8);
        TestPostgres.migrate(ds);
    }

    @AfterAll
    static void closeDataSource() {
        if (ds != null) {
            ds.close();
        }
    }

    @Override
    protected DataSource migratedDataSource() {
        return ds;
    }
}
