package io.zkml.api.runtime;

import org.springframework.boot.webmvc.autoconfigure.WebMvcRegistrations;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * In the {@code worker} role the REST API is not mapped at all: the controllers' handler mapping
 * registers only the error controller (so an unknown path is still a problem+json 404), and the
 * HTTP port answers nothing but Actuator's own endpoints (health, metrics), which have their own
 * handler mapping. The services behind the controllers still exist: the job handlers use them.
 */
@Configuration(proxyBeanMethods = false)
class ApiRoleWebConfiguration {

    @Bean
    WebMvcRegistrations roleAwareMappings(Environment env) {
        boolean servesApi = RuntimeSettings.role(env).servesApi();
        return new WebMvcRegistrations() {
            @Override
            public RequestMappingHandlerMapping getRequestMappingHandlerMapping() {
                return servesApi ? null : new WorkerHandlerMapping();
            }
        };
    }

    /** Maps only the error controller. */
    static final class WorkerHandlerMapping extends RequestMappingHandlerMapping {
        @Override
        protected boolean isHandler(Class<?> beanType) {
            return super.isHandler(beanType) && ErrorController.class.isAssignableFrom(beanType);
        }
    }
}
