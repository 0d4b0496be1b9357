package io.zkml.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zkml.api.testing.TestPostgres;

/**
 * Structured JSON logs as an option (issue 9): {@code logging.structured.format.console=ecs}
 * ({@code LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs}) makes every log line one JSON object (Elastic
 * Common Schema), including the service's own lines.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "logging.structured.format.console=ecs")
@ExtendWith(OutputCaptureExtension.class)
class StructuredLogsTest {

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
        registry.add("zkml.role", () -> "worker");
    }

    @Test
    void everyLineOfTheServiceIsAJsonObject(CapturedOutput output) {
        JsonMapper json = JsonMapper.builder().build();
        List<String> lines = output.getOut().lines().filter(l -> l.contains("zkml service ready on")).toList();
        assertThat(lines).hasSize(1);
        JsonNode line = json.readTree(lines.getFirst());
        assertThat(line.get("message").asString()).contains("zkml service ready on http://localhost:");
        // ECS: "log.level" (flat) or {"log": {"level": …}} (nested), depending on the Spring Boot version
        JsonNode level = line.has("log.level") ? line.get("log.level") : line.path("log").path("level");
        assertThat(level.asString()).isEqualTo("INFO");
        assertThat(output.getOut().lines().filter(l -> l.contains("job worker thread(s) started")))
                .singleElement().satisfies(l -> assertThat(json.readTree(l).get("message").asString()).contains("handlers"));
    }
}
