package io.zkml.api.security;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.servlet.HandlerInterceptor;

import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;

/**
 * Access control of {@code /v1}, before any controller runs (so a refused request stores nothing):
 * authentication ({@code Authorization: Bearer <key>}, 401), the scope the route needs (403), the
 * owner of the resource the path names (another owner's resource is a 404, as if it did not exist),
 * and the per-key limits of job-creating requests (429 with {@code Retry-After}). Exceptions thrown
 * here become problem+json through {@link io.zkml.api.problem.ProblemAdvice}.
 */
class AccessInterceptor implements HandlerInterceptor {

    /** Request attribute: the caller may see only the public parts of the response (not the owner). */
    static final String PUBLIC_VIEW = AccessInterceptor.class.getName() + ".publicView";

    private static final Set<Scope> ANONYMOUS_SCOPES = Set.of(Scope.READ, Scope.PROVE);

    private final ApiKeys keys;
    private final RateLimits limits;
    private final JdbcClient jdbc;
    private final AuthProperties props;
    private final boolean required;

    AccessInterceptor(ApiKeys keys, RateLimits limits, JdbcClient jdbc, AuthProperties props, boolean required) {
        this.keys = keys;
        this.limits = limits;
        this.jdbc = jdbc;
        this.props = props;
        this.required = required;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        Route route = Route.of(request.getMethod(), path);
        Optional<Caller> caller = authenticate(request.getHeader("Authorization"));
        caller.ifPresent(RequestOwner::set);
        if (route.scope() == null) {
            return true;
        }
        boolean openToAll = route.publicArtifact() && props.publicArtifacts();
        if (caller.isEmpty()) {
            if (openToAll) {
                request.setAttribute(PUBLIC_VIEW, Boolean.TRUE);
                return true;
            }
            throw new ApiException(ProblemType.UNAUTHORIZED,
                    request.getMethod() + " " + path + " needs an API key: send Authorization: Bearer <key>",
                    Map.of(), Map.of("WWW-Authenticate", "Bearer"));
        }
        Caller c = caller.get();
        if (c.anonymous() && !c.has(route.scope())) {
            throw new ApiException(ProblemType.UNAUTHORIZED, request.getMethod() + " " + path + " needs an API key with the '"
                    + route.scope().apiName() + "' scope: send Authorization: Bearer <key>",
                    Map.of(), Map.of("WWW-Authenticate", "Bearer"));
        }
        // issue 9: a key with the admin scope may delete any owner's model or circuit
        boolean adminDelete = request.getMethod().equals("DELETE") && route.resource().isPresent() && c.has(Scope.ADMIN);
        if (!c.has(route.scope()) && !openToAll && !adminDelete) {
            throw new ApiException(ProblemType.FORBIDDEN, "this API key lacks the '" + route.scope().apiName()
                    + "' scope, which " + request.getMethod() + " " + path + " needs",
                    Map.of("requiredScope", route.scope().apiName()));
        }
        if (route.resource().isPresent()) {
            Route.Resource r = route.resource().get();
            Optional<String> owner = ownerOf(r);
            boolean openCeremony = route.ceremony() && props.openCeremonies();
            if (owner.isPresent() && !owner.get().equals(c.owner()) && !adminDelete && !openCeremony) {
                if (!openToAll) {
                    throw ApiException.notFound(r.kind(), r.id());
                }
                request.setAttribute(PUBLIC_VIEW, Boolean.TRUE);
            }
        }
        if (route.startsJobs()) {
            limits.checkConcurrentJobs(c).ifPresent(AccessInterceptor::refuse);
        }
        if (route.proves()) {
            limits.takeProof(c).ifPresent(AccessInterceptor::refuse);
        }
        return true;
    }

    @Override
    public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler, Exception ex) {
        RequestOwner.clear();
    }

    private static void refuse(RateLimits.Refusal r) {
        throw new ApiException(ProblemType.RATE_LIMITED, r.detail(),
                Map.of("limit", r.limit(), "retryAfterSeconds", r.retryAfterSeconds()),
                Map.of("Retry-After", Long.toString(r.retryAfterSeconds())));
    }

    /**
     * The caller: the key's owner and scopes, the anonymous development owner when keys are not
     * required and none was sent, or empty. A key that is sent is always checked: a wrong or revoked
     * key is a 401 even where none is needed.
     */
    private Optional<Caller> authenticate(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return required ? Optional.empty() : Optional.of(new Caller(null, AuthProperties.ANONYMOUS_OWNER,
                    ANONYMOUS_SCOPES, props.defaultProofsPerMinute(), props.defaultMaxConcurrentJobs()));
        }
        String[] parts = authorization.strip().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer")) {
            throw new ApiException(ProblemType.UNAUTHORIZED, "the Authorization header must be 'Bearer <key>'",
                    Map.of(), Map.of("WWW-Authenticate", "Bearer"));
        }
        ApiKey key = keys.authenticate(parts[1].strip()).orElseThrow(() -> new ApiException(ProblemType.UNAUTHORIZED,
                "the API key is not valid or was revoked", Map.of(),
                Map.of("WWW-Authenticate", "Bearer error=\"invalid_token\"")));
        return Optional.of(new Caller(key.id(), key.owner(), key.scopes(),
                key.proofsPerMinute() != null ? key.proofsPerMinute() : props.defaultProofsPerMinute(),
                key.maxConcurrentJobs() != null ? key.maxConcurrentJobs() : props.defaultMaxConcurrentJobs()));
    }

    /** The owner of the resource, or empty if the id is malformed or unknown (the controller answers 404). */
    private Optional<String> ownerOf(Route.Resource r) {
        UUID id;
        try {
            id = UUID.fromString(r.id());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return jdbc.sql("SELECT owner FROM " + r.table() + " WHERE id = ?").param(id).query(String.class).optional();
    }

}
