package io.zkml.api.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * One line once the HTTP port is open (issue 9: {@code make run} prints the URL, next to the
 * development key): where the service answers, in which role and mode.
 */
@Component
class StartupLine implements ApplicationListener<WebServerInitializedEvent> {

    private static final Logger log = LoggerFactory.getLogger(StartupLine.class);

    private final Environment env;

    StartupLine(Environment env) {
        this.env = env;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        ServiceRole role = RuntimeSettings.role(env);
        String what = role.servesApi() ? "REST API at /v1, OpenAPI at /v1/openapi.yaml" : "health and metrics only";
        log.info("zkml service ready on http://localhost:{} ({}; role {}, mode {})", event.getWebServer().getPort(), what,
                role.name().toLowerCase(java.util.Locale.ROOT), RuntimeSettings.mode(env).name().toLowerCase(java.util.Locale.ROOT));
    }
}
