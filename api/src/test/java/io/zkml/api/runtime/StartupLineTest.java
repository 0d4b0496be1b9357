package io.zkml.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zkml.api.testing.TestPostgres;

/** What {@code make run} prints (issue 9): the URL with role and mode, and the development API key. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class StartupLineTest {

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
        registry.add("zkml.role", () -> "api");
    }

    @LocalServerPort
    int port;

    @Test
    void theUrlAndTheDevelopmentKeyArePrinted(CapturedOutput output) {
        assertThat(output.getOut()).contains("zkml service ready on http://localhost:" + port
                + " (REST API at /v1, OpenAPI at /v1/openapi.yaml; role api, mode development)");
        assertThat(output.getOut()).containsPattern("development API key \\(owner anonymous[^)]*\\): zk_[A-Za-z0-9_-]{43}");
    }
}
