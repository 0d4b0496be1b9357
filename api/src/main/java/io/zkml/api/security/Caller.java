package io.zkml.api.security;

import java.util.Set;
import java.util.UUID;

/**
 * Who sent the request being served: a key's owner and scopes, or the anonymous development owner
 * (development mode without {@code zkml.auth.required}).
 *
 * @param keyId the key, or null for an anonymous caller
 * @param proofsPerMinute the limit in force for this caller
 * @param maxConcurrentJobs the limit in force for this caller's owner
 */
public record Caller(UUID keyId, String owner, Set<Scope> scopes, int proofsPerMinute, int maxConcurrentJobs) {

    public boolean anonymous() {
        return keyId == null;
    }

    public boolean has(Scope scope) {
        return scopes.contains(scope);
    }

    /** The rate-limit bucket's name: the key, or the anonymous owner. */
    String bucketName() {
        return keyId != null ? keyId.toString() : "anonymous:" + owner;
    }
}
