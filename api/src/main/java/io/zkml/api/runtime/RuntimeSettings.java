package io.zkml.api.runtime;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Reads {@code zkml.mode} and {@code zkml.role} from an {@link Environment} with Spring Boot's
 * relaxed binding ({@code ZKML_MODE=production} works), for conditions and post-processors that run
 * before {@link RuntimeProperties} is bound. The defaults are those of {@link RuntimeProperties}.
 */
public final class RuntimeSettings {

    private RuntimeSettings() {
    }

    public static ServiceMode mode(Environment env) {
        return Binder.get(env).bind(RuntimeProperties.MODE, ServiceMode.class).orElse(ServiceMode.DEVELOPMENT);
    }

    public static ServiceRole role(Environment env) {
        return Binder.get(env).bind(RuntimeProperties.ROLE, ServiceRole.class).orElse(ServiceRole.ALL);
    }
}
