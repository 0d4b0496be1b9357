package io.zkml.api.jobs;

import java.nio.file.Path;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import io.zkml.api.db.embedded.EmbeddedPostgres;
import io.zkml.api.testing.TestPostgres;

/** The job queue on a real PostgreSQL (the embedded one) with the real migrations. */
class JobRepositoryTest extends AbstractJobRepositoryTest {

    @TempDir
    static Path dir;

    private static EmbeddedPostgres pg;
    private static HikariDataSource ds;

    @BeforeAll
    static void startPostgres() {
        pg = EmbeddedPostgres.start(TestPostgres.settings(dir));
        ds = TestPostgres.migratedDataSource(pg);
    }

    @AfterAll
    static void stopPostgres() {
        if (ds != null) {
            ds.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    protected DataSource migratedDataSource() {
        return ds;
    }
}
