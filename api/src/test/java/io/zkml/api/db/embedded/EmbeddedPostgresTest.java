package io.zkml.api.db.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zkml.api.testing.TestPostgres;

class EmbeddedPostgresTest {

    @TempDir
    Path dir;

    @Test
    void dataSurvivesAStopAndAStart() throws SQLException {
        EmbeddedPostgres.Settings settings = TestPostgres.settings(dir);
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(settings)) {
            try (Connection c = connect(pg); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE survivor (v text)");
                st.execute("INSERT INTO survivor VALUES ('still here')");
            }
        }
        assertThat(settings.dataDir().resolve("PG_VERSION")).exists();
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(settings)) {
            try (Connection c = connect(pg); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT v FROM survivor")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("still here");
            }
        }
    }

    @Test
    void aSecondServerOnTheSameDataDirectoryIsRefused() {
        EmbeddedPostgres.Settings settings = TestPostgres.settings(dir);
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(settings)) {
            assertThatThrownBy(() -> EmbeddedPostgres.start(settings))
                    .isInstanceOf(EmbeddedPostgresException.class)
                    .hasMessageContaining(settings.dataDir().toString());
        }
    }

    @Test
    void aNonEmptyDirectoryThatIsNoDataDirectoryIsRefused() throws Exception {
        EmbeddedPostgres.Settings settings = TestPostgres.settings(dir);
        Files.createDirectories(settings.dataDir());
        Files.writeString(settings.dataDir().resolve("notes.txt"), "not a database");
        assertThatThrownBy(() -> EmbeddedPostgres.start(settings))
                .isInstanceOf(EmbeddedPostgresException.class)
                .hasMessageContaining("not a PostgreSQL data directory");
    }

    @Test
    void asRootADataDirectoryBelowAClosedDirectoryIsAClearError() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(EmbeddedPostgres.isRoot(), "only root drops privileges");
        Path closed = Files.createDirectory(TestPostgres.traversable(dir).resolve("closed"));
        Files.setPosixFilePermissions(closed, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        EmbeddedPostgres.Settings base = TestPostgres.settings(dir);
        EmbeddedPostgres.Settings settings = new EmbeddedPostgres.Settings(closed.resolve("pgdata"), base.port(),
                base.database(), base.binariesCacheDir(), base.startTimeout());
        assertThatThrownBy(() -> EmbeddedPostgres.start(settings))
                .isInstanceOf(EmbeddedPostgresException.class)
                .hasMessageContaining("cannot enter " + closed)
                .hasMessageContaining("zkml.embedded-postgres.data-dir");
    }

    private static Connection connect(EmbeddedPostgres pg) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", pg.user());
        return DriverManager.getConnection(pg.jdbcUrl(), p);
    }
}
