package io.zkml.api.security;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * A row of {@code api_keys}, without the secret (which is never stored).
 *
 * @param prefix the key's first characters, to tell keys apart in a list
 * @param proofsPerMinute this key's limit, or null for {@code zkml.auth.default-proofs-per-minute}
 * @param maxConcurrentJobs this key's limit, or null for {@code zkml.auth.default-max-concurrent-jobs}
 */
public record ApiKey(UUID id, String owner, String name, String prefix, Set<Scope> scopes, Integer proofsPerMinute,
                     Integer maxConcurrentJobs, Instant createdAt, Instant revokedAt) {

    public boolean revoked() {
        return revokedAt != null;
    }
}
