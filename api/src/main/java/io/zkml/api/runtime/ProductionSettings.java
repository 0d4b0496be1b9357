package io.zkml.api.runtime;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * The checks of production mode, run before any bean is created (so before a data source could be
 * configured from a missing URL): each missing or unsafe setting is one line of a
 * {@link ProductionSettingsException}. In development mode it checks nothing.
 *
 * <p>Production needs: an external database ({@code spring.datasource.url}); API keys on
 * ({@code zkml.auth.required} not {@code false}); for a process that serves the API, the SHA-256 of
 * the operator's bootstrap admin key ({@code zkml.auth.bootstrap-admin-key-sha256}, 64 hex digits);
 * no unsafe Actuator endpoint exposed over HTTP; and no development key file.
 */
public class ProductionSettings implements BeanFactoryPostProcessor, EnvironmentAware {

    /** Actuator endpoints that may be exposed over HTTP in production. */
    public static final Set<String> SAFE_ENDPOINTS = Set.of("health", "prometheus", "info");

    private Environment env;

    @Override
    public void setEnvironment(Environment environment) {
        this.env = environment;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        List<String> problems = problems(env);
        if (!problems.isEmpty()) {
            throw new ProductionSettingsException(problems);
        }
    }

    /** What production mode refuses in this environment; empty in development mode. */
    public static List<String> problems(Environment env) {
        List<String> problems = new ArrayList<>();
        if (RuntimeSettings.mode(env) != ServiceMode.PRODUCTION) {
            return problems;
        }
        if (!StringUtils.hasText(env.getProperty("spring.datasource.url"))) {
            problems.add("spring.datasource.url (SPRING_DATASOURCE_URL) is not set: production needs an external "
                    + "PostgreSQL; the embedded one is for development only and is never started in production");
        }
        String required = env.getProperty("zkml.auth.required");
        if (required != null && !Boolean.parseBoolean(required.strip())) {
            problems.add("zkml.auth.required (ZKML_AUTH_REQUIRED) is '" + required + "': in production every write "
                    + "needs an API key; anonymous writes are a development setting");
        }
        if (RuntimeSettings.role(env).servesApi()) {
            String hash = env.getProperty("zkml.auth.bootstrap-admin-key-sha256");
            if (!StringUtils.hasText(hash)) {
                problems.add("zkml.auth.bootstrap-admin-key-sha256 (ZKML_AUTH_BOOTSTRAPADMINKEYSHA256) is not set: "
                        + "give the SHA-256 (64 hex digits) of an admin key you generated, e.g. "
                        + "KEY=zk_$(openssl rand -hex 32); printf %s \"$KEY\" | sha256sum");
            } else if (!isSha256Hex(hash.strip())) {
                problems.add("zkml.auth.bootstrap-admin-key-sha256 (ZKML_AUTH_BOOTSTRAPADMINKEYSHA256) is not 64 hex "
                        + "digits: it must be the SHA-256 of the key, not the key itself");
            }
        }
        String hold = env.getProperty("zkml.worker.hold-before-complete");
        if (StringUtils.hasText(hold) && !hold.strip().matches("0+[a-z]*")) {
            problems.add("zkml.worker.hold-before-complete (ZKML_WORKER_HOLDBEFORECOMPLETE) is '" + hold.strip()
                    + "': it delays every result for the fault tests and is refused in production");
        }
        String exposed = env.getProperty("management.endpoints.web.exposure.include");
        if (exposed != null) {
            List<String> unsafe = new ArrayList<>();
            for (String e : exposed.split(",")) {
                String name = e.strip().toLowerCase(Locale.ROOT);
                if (!name.isEmpty() && !SAFE_ENDPOINTS.contains(name)) {
                    unsafe.add(name);
                }
            }
            if (!unsafe.isEmpty()) {
                problems.add("management.endpoints.web.exposure.include exposes " + unsafe + " over HTTP: production "
                        + "exposes only " + new java.util.TreeSet<>(SAFE_ENDPOINTS));
            }
        }
        return problems;
    }

    static boolean isSha256Hex(String s) {
        if (s.length() != 64) {
            return false;
        }
        try {
            HexFormat.of().parseHex(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
