package io.zkml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * docs/cli.md is generated from the picocli definitions; this test fails when they drift apart.
 * Regenerate: {@code ./mvnw -B -ntp -pl cli -am verify -DskipGoTests=true -Dzkml.cli.regenerate=true}
 * (surefire passes the property through).
 */
class CliDocsTest {

    @Test
    void docsCliMdIsGeneratedFromTheCommandDefinitions() throws IOException {
        Path doc = CliRun.root().resolve("docs/cli.md");
        String generated = CliDocs.markdown();
        if (Boolean.getBoolean("zkml.cli.regenerate")) {
            Files.writeString(doc, generated, StandardCharsets.UTF_8);
        }
        assertThat(doc).as("docs/cli.md; regenerate with -Dzkml.cli.regenerate=true").exists();
        assertThat(Files.readString(doc, StandardCharsets.UTF_8))
                .as("docs/cli.md is out of date; regenerate with -Dzkml.cli.regenerate=true")
                .isEqualTo(generated);
    }
}
