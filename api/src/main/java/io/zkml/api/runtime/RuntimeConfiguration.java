package io.zkml.api.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Role and mode: the production checks, and a line at start that says which this process is. */
@Configuration(proxyBeanMethods = false)
@org.springframework.boot.context.properties.EnableConfigurationProperties(RuntimeProperties.class)
class RuntimeConfiguration {

    private static final Logger log = LoggerFactory.getLogger(RuntimeConfiguration.class);

    /** Static: a BeanFactoryPostProcessor runs before the other beans of this class exist. */
    @Bean
    static ProductionSettings productionSettings() {
        return new ProductionSettings();
    }

    @Bean
    ApplicationRunner announceRuntime(RuntimeProperties runtime) {
        return args -> {
            if (runtime.mode() == ServiceMode.DEVELOPMENT) {
                log.warn("zkml: DEVELOPMENT mode, role {} (embedded PostgreSQL without a database URL, anonymous "
                        + "writes unless zkml.auth.required=true); set zkml.mode=production for a deployment",
                        runtime.role().name().toLowerCase(java.util.Locale.ROOT));
            } else {
                log.info("zkml: production mode, role {}", runtime.role().name().toLowerCase(java.util.Locale.ROOT));
            }
        };
    }
}
