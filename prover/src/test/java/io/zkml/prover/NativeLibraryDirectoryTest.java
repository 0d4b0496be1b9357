package io.zkml.prover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The extraction directories of the native library are private, so the checked file is the loaded one. */
class NativeLibraryDirectoryTest {

    @TempDir
    Path tmp;

    @Test
    void createdPrivateNarrowedAndNeverALink() throws IOException {
        Path fresh = tmp.resolve("a/zkml-native");
        NativeLibrary.privateDirectory(fresh);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh))).isEqualTo("rwx------");

        Path wide = Files.createDirectory(tmp.resolve("wide"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        NativeLibrary.privateDirectory(wide);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(wide))).isEqualTo("rwx------");

        Path link = Files.createSymbolicLink(tmp.resolve("link"), wide);
        assertThatThrownBy(() -> NativeLibrary.privateDirectory(link)).isInstanceOf(IOException.class)
                .hasMessageContaining("is a link");
    }
}
