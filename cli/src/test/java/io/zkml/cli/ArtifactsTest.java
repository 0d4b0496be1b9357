package io.zkml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class ArtifactsTest {

    @Test
    void writingNeverFollowsALinkPlantedAtTheTemporaryName() throws IOException {
        Path dir = Files.createTempDirectory("zkml-write");
        Path victim = dir.resolve("victim.txt");
        Files.writeString(victim, "keep me");
        Path out = dir.resolve("proof.json");
        Files.createSymbolicLink(dir.resolve("proof.json.tmp"), victim);
        Artifacts.write(out, "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(victim)).isEqualTo("keep me");
        assertThat(Files.isSymbolicLink(out)).isFalse();
        assertThat(Files.readString(out)).isEqualTo("{}");
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("victim.txt", "proof.json", "proof.json.tmp");
        }
    }
}
