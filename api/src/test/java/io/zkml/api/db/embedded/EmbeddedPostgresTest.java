package io.zkml.api.db.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

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
    void anInitdbThatFailsHalfWayLeavesNoDataDirectoryAndTheNextStartSucceeds() throws Exception {
        EmbeddedPostgres.Settings settings = TestPostgres.settings(dir);
        // initdb writes the cluster's files, then its bootstrap server rejects the setting; --no-clean
        // keeps what it wrote, as a crash would.
        EmbeddedPostgres.InitFaults badSetting = new EmbeddedPostgres.InitFaults() {
            @Override
            public List<String> extraInitdbArguments() {
                return List.of("--no-clean", "-c", "shared_buffers=not-a-size");
            }
        };
        assertThatThrownBy(() -> EmbeddedPostgres.start(settings, badSetting))
                .isInstanceOf(EmbeddedPostgresException.class)
                .hasMessageContaining("initdb failed for " + settings.dataDir())
                // it had written PG_VERSION and the rest before failing, and left them
                .hasMessageContaining("not removed at user's request");
        assertThat(settings.dataDir()).doesNotExist();
        assertThat(initdbSiblings(settings)).isEmpty();

        assertStartsAndServes(settings);
    }

    @Test
    void aFailureAfterInitdbLeavesNoDataDirectoryAndTheNextStartSucceeds() throws Exception {
        EmbeddedPostgres.Settings settings = TestPostgres.settings(dir);
        List<Path> seen = new ArrayList<>();
        EmbeddedPostgres.InitFaults dieBeforeRename = new EmbeddedPostgres.InitFaults() {
            @Override
            public void beforeRename(Path initialised) throws IOException {
                seen.add(initialised);
                throw new IOException("injected failure before the rename");
            }
        };
        assertThatThrownBy(() -> EmbeddedPostgres.start(settings, dieBeforeRename))
                .isInstanceOf(EmbeddedPostgresException.class)
                .hasMessageContaining("injected failure before the rename");
        // initdb had written a whole cluster, next to the data directory, not in it
        assertThat(seen).singleElement().satisfies(p -> {
            assertThat(p.getParent()).isEqualTo(settings.dataDir().getParent());
            assertThat(p.getFileName().toString()).startsWith("pgdata.initdb-");
            assertThat(p).doesNotExist();
        });
        assertThat(settings.dataDir()).doesNotExist();
        assertThat(initdbSiblings(settings)).isEmpty();

        assertStartsAndServes(settings);
    }

    @Test
    void whatAnInterruptedInitialisationLeftBehindIsRemovedAndAnEmptyDataDirectoryIsInitialised() throws Exception {
        EmbeddedPostgres.Settings settings = TestPostgres.settings(dir);
        // a process killed during initdb leaves its half-written sibling; the data directory stays empty
        Path stale = Files.createDirectories(settings.dataDir().resolveSibling("pgdata.initdb-1234567890/base/1"));
        Files.writeString(stale.getParent().getParent().resolve("PG_VERSION"), "18\n");
        Files.writeString(stale.resolve("112"), "half a page");
        Files.createDirectories(settings.dataDir());
        Path unrelated = Files.createDirectories(settings.dataDir().resolveSibling("pgdata-backup"));

        assertStartsAndServes(settings);
        assertThat(initdbSiblings(settings)).isEmpty();
        assertThat(unrelated).isDirectory();
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

    private static void assertStartsAndServes(EmbeddedPostgres.Settings settings) throws SQLException {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(settings);
             Connection c = connect(pg); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_database()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(settings.database());
        }
        assertThat(settings.dataDir().resolve("PG_VERSION")).isRegularFile();
    }

    private static List<Path> initdbSiblings(EmbeddedPostgres.Settings settings) throws IOException {
        try (Stream<Path> s = Files.list(settings.dataDir().getParent())) {
            return s.filter(p -> p.getFileName().toString().startsWith(EmbeddedPostgres.initdbPrefix(settings.dataDir())))
                    .toList();
        }
    }

    private static Connection connect(EmbeddedPostgres pg) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", pg.user());
        if (pg.password() != null) {
            p.setProperty("password", pg.password());
        }
        return DriverManager.getConnection(pg.jdbcUrl(), p);
    }
}
