package io.zkml.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The zkml proof service: REST v1 on top of PostgreSQL, with the job workers in the same process
 * by default ({@code zkml.worker.enabled}). Without {@code SPRING_DATASOURCE_URL} it starts its own
 * embedded PostgreSQL ({@code io.zkml.api.db.embedded}, the module {@code embedded-postgres}: development runs and tests only, ADR 0026).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ZkmlApplication {

    public static void main(String[] args) {
        SpringApplication.run(ZkmlApplication.class, args);
    }
}
