package io.zkml.api.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zkml.api.jobs.WorkerProperties;

/** The artifact cache is private (0700) and never hands out a file whose bytes changed (issue 7). */
class ArtifactFileCacheTest {

    @TempDir
    Path tmp;

    @Test
    void aChangedCachedFileIsReplacedAndTheDirectoryIsPrivate() throws Exception {
        byte[] bytes = "a verifying key".getBytes();
        String sha = ArtifactRepository.sha256(bytes);
        ArtifactRepository repo = mock(ArtifactRepository.class);
        when(repo.copyTo(eq(sha), any(OutputStream.class))).thenAnswer(inv -> {
            inv.getArgument(1, OutputStream.class).write(bytes);
            return (long) bytes.length;
        });
        Path dir = tmp.resolve("cache");
        ArtifactFileCache cache = new ArtifactFileCache(repo, new WorkerProperties(true, 1, Duration.ofSeconds(60),
                Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(15), 3, Duration.ofSeconds(5), dir, 4));

        Path f = cache.materialize(sha);
        assertThat(Files.readAllBytes(f)).isEqualTo(bytes);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");

        Files.writeString(f, "a key of an attacker");
        Path again = cache.materialize(sha);
        assertThat(Files.readAllBytes(again)).as("replaced from the database").isEqualTo(bytes);

        // a directory made with a wider mode is narrowed
        Path wide = tmp.resolve("wide");
        Files.createDirectory(wide, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        ArtifactFileCache other = new ArtifactFileCache(repo, new WorkerProperties(true, 1, Duration.ofSeconds(60),
                Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(15), 3, Duration.ofSeconds(5), wide, 4));
        other.materialize(sha);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(wide))).isEqualTo("rwx------");
    }
}
