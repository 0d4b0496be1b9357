package io.zkml.api.security;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;
import io.zkml.api.support.Ids;

/** {@code /v1/api-keys}: create, list and revoke API keys (the {@code admin} scope). */
@RestController
class ApiKeyController {

    private final ApiKeys keys;
    private final ApiKeyRepository repository;

    ApiKeyController(ApiKeys keys, ApiKeyRepository repository) {
        this.keys = keys;
        this.repository = repository;
    }

    /**
     * The body of {@code POST /v1/api-keys}.
     *
     * @param owner whose resources the key creates and sees
     * @param scopes any of {@code read}, {@code prove}, {@code admin} (default {@code [read, prove]})
     * @param proofsPerMinute, maxConcurrentJobs this key's limits (default: the service's defaults)
     */
    record CreateKeyRequest(String owner, String name, List<String> scopes, Integer proofsPerMinute,
                            Integer maxConcurrentJobs) {
    }

    /** A key as the API shows it; {@code key} (the secret) only in the answer to its creation. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record KeyResponse(UUID id, String key, String prefix, String owner, String name, List<String> scopes,
                       Integer proofsPerMinute, Integer maxConcurrentJobs, Instant createdAt, Instant revokedAt) {
        static KeyResponse of(ApiKey k, String secret) {
            List<String> scopes = new ArrayList<>();
            for (Scope s : Scope.values()) {
                if (k.scopes().contains(s)) {
                    scopes.add(s.apiName());
                }
            }
            return new KeyResponse(k.id(), secret, k.prefix(), k.owner(), k.name(), scopes, k.proofsPerMinute(),
                    k.maxConcurrentJobs(), k.createdAt(), k.revokedAt());
        }
    }

    @PostMapping(path = "/v1/api-keys", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<KeyResponse> create(@RequestBody CreateKeyRequest body) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        List<String> names = body.scopes() == null ? List.of("read", "prove") : body.scopes();
        for (String n : names) {
            scopes.add(Scope.parse(n).orElseThrow(() -> new ApiException(ProblemType.INVALID_REQUEST,
                    "unknown scope '" + n + "'; the scopes are read, prove, admin",
                    Map.of("supportedScopes", List.of("read", "prove", "admin")))));
        }
        ApiKeys.Created c = keys.create(body.owner(), body.name(), scopes, body.proofsPerMinute(), body.maxConcurrentJobs());
        return ResponseEntity.created(URI.create("/v1/api-keys/" + c.record().id())).body(KeyResponse.of(c.record(), c.key()));
    }

    /** Every key, newest first, without secrets. */
    @GetMapping("/v1/api-keys")
    Map<String, List<KeyResponse>> list() {
        return Map.of("items", repository.list().stream().map(k -> KeyResponse.of(k, null)).toList());
    }

    /** Revokes a key; from then on it is a 401. Revoking twice is not an error. */
    @DeleteMapping("/v1/api-keys/{id}")
    ResponseEntity<Void> revoke(@PathVariable("id") String id) {
        boolean revoked = repository.revoke(Ids.parse(id, "API key"));
        keys.forgetCached(); // issue 9 (ADR 0027): this process sees the revocation at once
        if (!revoked) {
            throw ApiException.notFound("API key", id);
        }
        return ResponseEntity.noContent().build();
    }
}
