package io.zkml.api.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import io.zkml.api.runtime.RuntimeProperties;
import io.zkml.api.runtime.ServiceMode;

/**
 * API keys and owners: the access interceptor on {@code /v1/**}, the owner-setting transaction
 * manager, and the keys registered at start (the bootstrap admin key; in development mode the
 * development admin key, printed).
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    private final ApiKeys keys;
    private final RateLimits limits;
    private final JdbcClient jdbc;
    private final AuthProperties props;
    private final RuntimeProperties runtime;

    SecurityConfiguration(ApiKeys keys, RateLimits limits, JdbcClient jdbc, AuthProperties props, RuntimeProperties runtime) {
        this.keys = keys;
        this.limits = limits;
        this.jdbc = jdbc;
        this.props = props;
        this.runtime = runtime;
    }

    /** Whether requests need a key: {@code zkml.auth.required}, else true exactly in production mode. */
    static boolean required(AuthProperties props, RuntimeProperties runtime) {
        return props.required() != null ? props.required() : runtime.mode() == ServiceMode.PRODUCTION;
    }

    /** A bean of this (not web-layer) class, so that {@code @WebMvcTest} slices do without the key store. */
    @Bean
    WebMvcConfigurer accessControl() {
        AccessInterceptor interceptor = new AccessInterceptor(keys, limits, jdbc, props, required(props, runtime));
        return new WebMvcConfigurer() {
            @Override
            public void addInterceptors(InterceptorRegistry registry) {
                registry.addInterceptor(interceptor).addPathPatterns("/v1/**");
            }
        };
    }

    @Bean
    static JdbcTransactionManager transactionManager(DataSource dataSource) {
        return new OwnerTransactionManager(dataSource);
    }

    @Bean
    ApplicationRunner registerKeys() {
        return args -> {
            if (!runtime.role().servesApi()) {
                return;
            }
            if (props.bootstrapAdminKeySha256() != null && !props.bootstrapAdminKeySha256().isBlank()) {
                ApiKey k = keys.register(props.bootstrapAdminKeySha256(), "admin", "bootstrap admin key",
                        Set.of(Scope.READ, Scope.PROVE, Scope.ADMIN));
                log.info("bootstrap admin key {} (owner {}){}", k.id(), k.owner(), k.revoked() ? " is REVOKED" : "");
            }
            if (runtime.mode() == ServiceMode.DEVELOPMENT) {
                String key = developmentKey(props.developmentKeyFile());
                log.warn("development API key (owner {}, scopes read prove admin): {}  (kept in {}; keys are {})",
                        AuthProperties.ANONYMOUS_OWNER, key, props.developmentKeyFile(),
                        required(props, runtime) ? "required" : "optional: zkml.auth.required=false");
            }
        };
    }

    /**
     * The development admin key: the one in {@code file} while it is still valid, else a new one,
     * written there (0600). Its owner is the anonymous development owner, so that the key sees what
     * requests without a key created.
     */
    private String developmentKey(Path file) throws IOException {
        if (Files.isRegularFile(file)) {
            String existing = Files.readString(file).strip();
            if (keys.authenticate(existing).filter(k -> k.owner().equals(AuthProperties.ANONYMOUS_OWNER)).isPresent()) {
                return existing;
            }
        }
        ApiKeys.Created created = keys.create(AuthProperties.ANONYMOUS_OWNER, "development key",
                EnumSet.allOf(Scope.class), null, null);
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, created.key() + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        return created.key();
    }
}
