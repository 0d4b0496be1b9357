package io.zkml.api.security;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * API keys, owners and quotas ({@code zkml.auth.*}; docs/operations.md).
 *
 * @param required whether every request to {@code /v1} but the public ones needs
 *     {@code Authorization: Bearer <key>}; unset means {@code true} in production mode and
 *     {@code false} in development mode, where a request without a key acts as the anonymous
 *     development owner (what the README walkthrough does). Production refuses {@code false}.
 * @param publicArtifacts whether anyone, with or without a key, may read the public artifacts of
 *     any circuit and inference: verifier source, verifying key (and its snarkjs forms), proofs and
 *     public inputs; private inputs stay the owner's (default {@code false}: the owner's keys only)
 * @param bootstrapAdminKeySha256 the SHA-256 (64 hex digits) of an admin key the operator generated;
 *     the key is registered at start (owner {@code admin}, scopes read, prove, admin) and makes the
 *     others ({@code POST /v1/api-keys}). Required in production for a process that serves the API.
 * @param developmentKeyFile development mode only: where the development admin key is kept (created
 *     at the first start, 0600, printed at every start) (default {@code ./.zkml/dev-api-key})
 * @param defaultProofsPerMinute inferences a key may submit per minute when the key sets no limit of
 *     its own (a token bucket refilled evenly; default {@code 600})
 * @param defaultMaxConcurrentJobs queued or running jobs (circuits compiling, inferences proving) an
 *     owner may have at once when its key sets no limit of its own (default {@code 50})
 * @param openCeremonies whether every key may read any circuit's Groth16 ceremony (state, states,
 *     transcript; with {@code read}) and upload contributions to it (with {@code prove}), whoever owns
 *     the circuit, so that auditors and users can join with their own randomness (default
 *     {@code true}; a contribution is verified before it is stored and cannot weaken the keys;
 *     finalize stays the owner's). {@code false}: only the owner's keys, as for other resources.
 */
@ConfigurationProperties("zkml.auth")
public record AuthProperties(
        Boolean required,
        @DefaultValue("false") boolean publicArtifacts,
        String bootstrapAdminKeySha256,
        @DefaultValue("./.zkml/dev-api-key") Path developmentKeyFile,
        @DefaultValue("600") int defaultProofsPerMinute,
        @DefaultValue("50") int defaultMaxConcurrentJobs,
        @DefaultValue("true") boolean openCeremonies) {

    /** The owner of requests without a key in development mode (and of rows stored before keys existed). */
    public static final String ANONYMOUS_OWNER = "anonymous";

    public AuthProperties {
        if (defaultProofsPerMinute < 1) {
            throw new IllegalArgumentException("zkml.auth.default-proofs-per-minute must be at least 1, got "
                    + defaultProofsPerMinute);
        }
        if (defaultMaxConcurrentJobs < 1) {
            throw new IllegalArgumentException("zkml.auth.default-max-concurrent-jobs must be at least 1, got "
                    + defaultMaxConcurrentJobs);
        }
    }
}
