package io.zkml.api.idempotency;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import io.zkml.api.artifacts.ArtifactRepository;
import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;

/**
 * The {@code Idempotency-Key} header of resource-creating POSTs. Call {@link #claim} inside the
 * transaction that creates the resource: the first request with a key records it (and the id it
 * is about to create); a later request with the same key and the same body gets that id back and
 * creates nothing; the same key with another body is a 422. A concurrent duplicate waits on the
 * key's row until the first transaction ends. Keys are per owner (V9: the row's {@code owner} is the
 * request's, {@code zkml_request_owner()}): two owners' requests never share a key. Keys expire
 * ({@link IdempotencyProperties#ttl}, default 24 h): a key first used longer ago than that is a new
 * key; expired rows are deleted when keys are claimed (at most {@value #PURGE_BATCH} other rows a claim).
 */
@Component
public class IdempotencyKeys {

    /** The header name. */
    public static final String HEADER = "Idempotency-Key";

    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");

    /** The most expired rows of other keys one claim deletes. */
    static final int PURGE_BATCH = 100;

    private final JdbcClient jdbc;
    private final IdempotencyProperties props;

    public IdempotencyKeys(JdbcClient jdbc, IdempotencyProperties props) {
        this.jdbc = jdbc;
        this.props = props;
    }

    /**
     * Records {@code key} for {@code newId}, or finds the resource an earlier request created with it.
     *
     * @param key the header value, or null (then nothing is recorded and the result is empty)
     * @param scope method and path of the request
     * @param request a canonical form of the request (what makes two requests "the same")
     * @return the id an earlier request with this key created, or empty if this request goes ahead
     * @throws ApiException {@code invalid-request} for a malformed key, {@code idempotency-key-reused}
     *     if the key was used for a different request
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<UUID> claim(String key, String scope, String request, UUID newId) {
        if (key == null) {
            return Optional.empty();
        }
        if (!KEY.matcher(key).matches()) {
            throw new ApiException(ProblemType.INVALID_REQUEST,
                    HEADER + " must be 1 to 200 visible ASCII characters");
        }
        String hash = ArtifactRepository.sha256(request.getBytes(StandardCharsets.UTF_8));
        double ttlSeconds = props.ttl().toMillis() / 1000.0;
        // this key, if it expired: it is a new key now
        jdbc.sql("DELETE FROM idempotency_keys WHERE owner = zkml_request_owner() AND scope = ? AND key = ? "
                        + "AND created_at < now() - make_interval(secs => ?)")
                .params(scope, key, ttlSeconds).update();
        // and a bounded batch of other expired rows (idempotency_keys_created_idx), skipping locked ones
        jdbc.sql("DELETE FROM idempotency_keys WHERE ctid IN (SELECT ctid FROM idempotency_keys "
                        + "WHERE created_at < now() - make_interval(secs => ?) LIMIT ? FOR UPDATE SKIP LOCKED)")
                .params(ttlSeconds, PURGE_BATCH).update();
        int inserted = jdbc.sql("""
                INSERT INTO idempotency_keys (scope, key, request_sha256, resource_id) VALUES (?, ?, ?, ?)
                ON CONFLICT (owner, scope, key) DO NOTHING
                """).params(scope, key, hash, newId).update();
        if (inserted == 1) {
            return Optional.empty();
        }
        record Earlier(String hash, UUID id) {
        }
        Earlier earlier = jdbc.sql("SELECT request_sha256, resource_id FROM idempotency_keys "
                        + "WHERE owner = zkml_request_owner() AND scope = ? AND key = ?")
                .params(scope, key)
                .query((rs, n) -> new Earlier(rs.getString(1), rs.getObject(2, UUID.class)))
                .single();
        if (!earlier.hash().equals(hash)) {
            throw new ApiException(ProblemType.IDEMPOTENCY_KEY_REUSED, HEADER + " '" + key
                    + "' was already used for a different request to " + scope.substring(scope.indexOf(' ') + 1)
                    + "; use a new key for a new request", Map.of("resourceId", earlier.id().toString()));
        }
        return Optional.of(earlier.id());
    }
}
