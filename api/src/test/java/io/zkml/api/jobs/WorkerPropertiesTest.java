package io.zkml.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class WorkerPropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @EnableConfigurationProperties(WorkerProperties.class)
    static class Config {
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        runner.run(context -> {
            WorkerProperties p = context.getBean(WorkerProperties.class);
            assertThat(p.enabled()).isTrue();
            assertThat(p.threads()).isEqualTo(2);
            assertThat(p.lease()).isEqualTo(Duration.ofSeconds(60));
            assertThat(p.heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
            assertThat(p.maxAttempts()).isEqualTo(3);
            assertThat(p.loadedCircuits()).isEqualTo(4);
            assertThat(p.cacheDir()).isNotNull();
        });
    }

    @Test
    void aHeartbeatSlowerThanTheLeaseIsRefusedAtStartUp() {
        runner.withPropertyValues("zkml.worker.lease=5s", "zkml.worker.heartbeat-interval=10s")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("heartbeat-interval"));
    }

    @Test
    void noThreadsIsRefused() {
        runner.withPropertyValues("zkml.worker.threads=0")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining("threads"));
    }
}
