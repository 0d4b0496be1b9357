package io.zkml.api.db.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zkml.api.testing.TestPostgres;

/**
 * Defect 2 of issue 9: a data directory the embedded PostgreSQL initialises authenticates its
 * superuser with a generated password (scram-sha-256), kept 0600 beside the data directory; any
 * other local user connecting to 127.0.0.1 without it (or with a wrong one) is refused.
 */
class EmbeddedPostgresPasswordTest {

    @TempDir
    Path dir;

    private static Connection connect(EmbeddedPostgres pg, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", pg.user());
        if (password != null) {
            p.setProperty("password", password);
        }
        return DriverManager.getConnection(pg.jdbcUrl(), p);
    }

    @Test
    void onlyThePasswordKeptBesideTheDataDirectoryLetsTheSuperuserIn() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(TestPostgres.settings(dir), false)) {
            Path file = EmbeddedPostgres.passwordFile(pg.dataDir());
            assertThat(file).isRegularFile();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(pg.password()).hasSizeGreaterThanOrEqualTo(40).isEqualTo(Files.readString(file).strip());

            assertThatThrownBy(() -> connect(pg, null).close()).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> connect(pg, "wrong").close()).isInstanceOf(SQLException.class)
                    .hasMessageContaining("password authentication failed");
            try (Connection c = connect(pg, pg.password())) {
                assertThat(c.isValid(5)).isTrue();
            }
            String hba = Files.readString(pg.dataDir().resolve("pg_hba.conf"));
            assertThat(hba.lines().filter(l -> !l.startsWith("#") && !l.isBlank())).noneMatch(l -> l.endsWith("trust"));
        }
    }
}
