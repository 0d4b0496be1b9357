package io.zkml.api.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zkml.api.jobs.JobWorkers;
import io.zkml.api.testing.Http;
import io.zkml.api.testing.Http.Response;
import io.zkml.api.testing.TestPostgres;

/** {@code zkml.role=worker} over real HTTP: workers run, the port answers health and metrics and no REST API. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WorkerRoleTest {

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
        registry.add("zkml.role", () -> "worker");
    }

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @Test
    void aWorkerServesNoApiButHealthAndMetrics() {
        Http http = new Http(port);
        for (String path : new String[] {"/v1/models", "/v1/openapi.yaml", "/verify", "/v1/circuits/x"}) {
            Response r = http.get(path);
            assertThat(r.status()).as(path + ": " + r).isEqualTo(404);
            assertThat(r.contentType()).startsWith("application/problem+json");
        }
        Response post = http.postJson("/v1/api-keys", "{\"owner\":\"x\"}");
        assertThat(post.status()).as(post.toString()).isIn(404, 405);
        assertThat(http.get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(http.get("/actuator/health/readiness").status()).isEqualTo(200);
        Response metrics = http.get("/actuator/prometheus");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_");
        assertThat(context.getBeansOfType(JobWorkers.class)).hasSize(1);
    }
}
