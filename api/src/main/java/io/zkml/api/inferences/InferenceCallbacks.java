package io.zkml.api.inferences;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import tools.jackson.databind.JsonNode;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;

/**
 * Callbacks of inferences (issue 9): a {@code callbackUrl} stored with the inference, in the
 * transaction that creates it; a trigger (V17) queues a {@code callback} job when the inference ends;
 * {@link CallbackJobHandler} POSTs it signed with {@link #signature}. The delivery status is that
 * job's.
 */
@Service
public class InferenceCallbacks {

    /** The signature header: {@code t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>}. */
    public static final String SIGNATURE_HEADER = "X-Zkml-Signature";
    static final int MAX_URL = 2048;

    private final InferenceService inferences;
    private final InferenceRepository repository;
    private final JdbcClient jdbc;
    private final CallbackProperties props;
    private final io.zkml.api.support.Json json;

    InferenceCallbacks(InferenceService inferences, InferenceRepository repository, JdbcClient jdbc,
                       CallbackProperties props, io.zkml.api.support.Json json) {
        this.inferences = inferences;
        this.repository = repository;
        this.jdbc = jdbc;
        this.props = props;
        this.json = json;
    }

    /** The {@code callbackUrl} member: null if absent, else an absolute http(s) URL (400 otherwise). */
    URI callbackUrl(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!props.configured()) {
            throw new ApiException(ProblemType.INVALID_REQUEST, "this service sends no callbacks: "
                    + "zkml.callbacks.signing-secret is not set", Map.of("field", "callbackUrl"));
        }
        String s = node.isString() ? node.stringValue() : null;
        URI uri = null;
        if (s != null && s.length() <= MAX_URL) {
            try {
                uri = new URI(s);
            } catch (java.net.URISyntaxException e) {
                uri = null;
            }
        }
        if (uri == null || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null
                || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new ApiException(ProblemType.INVALID_REQUEST, "\"callbackUrl\" must be an absolute http:// or https:// "
                    + "URL of at most " + MAX_URL + " characters, without user info or fragment", Map.of("field", "callbackUrl"));
        }
        return uri;
    }

    static final int MAX_METADATA_KEYS = io.zkml.api.support.Metadata.MAX_KEYS;
    static final int MAX_METADATA_KEY = io.zkml.api.support.Metadata.MAX_KEY;
    static final int MAX_METADATA_VALUE = io.zkml.api.support.Metadata.MAX_VALUE;

    /**
     * The {@code metadata} member: null if absent, else an object of at most {@value #MAX_METADATA_KEYS}
     * keys ({@code [A-Za-z0-9_.:-]}, 1..{@value #MAX_METADATA_KEY}) with string values of at most
     * {@value #MAX_METADATA_VALUE} characters, none with control characters (400 otherwise).
     */
    static Map<String, String> metadata(JsonNode node) {
        return io.zkml.api.support.Metadata.parse(node); // issue 9: shared with models, circuits and batches
    }

    /**
     * Creates the inference and stores its callback URL and metadata in the same transaction (no
     * worker sees it before).
     */
    @Transactional
    public InferenceService.Created create(UUID circuitId, JsonNode input, List<String> duplicateInputKeys, JsonNode salt,
                                           String idempotencyKey, URI callbackUrl, Map<String, String> metadata) {
        return create(circuitId, input, duplicateInputKeys, salt, null, idempotencyKey, callbackUrl, metadata);
    }

    /** As above, with the {@code outputSalt} of a circuit with hashed outputs (issue 8). */
    public InferenceService.Created create(UUID circuitId, JsonNode input, List<String> duplicateInputKeys, JsonNode salt,
                                           JsonNode outputSalt, String idempotencyKey, URI callbackUrl,
                                           Map<String, String> metadata) {
        // issue 9 (ADR 0027): the callback URL and the metadata go into the inference's INSERT; an
        // idempotent replay returns the earlier inference as it was stored
        return inferences.create(circuitId, input, duplicateInputKeys, salt, outputSalt, idempotencyKey, callbackUrl,
                metadata);
    }

    /**
     * The delivery status of an inference's callback: {@code url}, {@code status} (pending while the
     * inference runs or the delivery is retried, delivered, failed), {@code attempts}, {@code lastError},
     * {@code deliveredAt}; null without a callback.
     */
    public Map<String, Object> status(UUID inferenceId) {
        return jdbc.sql("""
                SELECT i.callback_url, j.status, j.attempts, j.last_error, j.finished_at
                  FROM inferences i
                  LEFT JOIN LATERAL (SELECT * FROM jobs WHERE subject_id = i.id AND kind = 'callback'
                                      ORDER BY created_at DESC LIMIT 1) j ON true
                 WHERE i.id = ? AND i.callback_url IS NOT NULL
                """).param(inferenceId).query((rs, n) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("url", rs.getString(1));
                    String job = rs.getString(2);
                    m.put("status", job == null || job.equals("queued") || job.equals("running") ? "pending"
                            : job.equals("succeeded") ? "delivered" : "failed");
                    m.put("attempts", rs.getInt(3));
                    if (rs.getString(4) != null) {
                        m.put("lastError", rs.getString(4));
                    }
                    if ("succeeded".equals(job) && rs.getTimestamp(5) != null) {
                        m.put("deliveredAt", rs.getTimestamp(5).toInstant());
                    }
                    return m;
                }).optional().orElse(null);
    }

    /** The {@value #SIGNATURE_HEADER} value for {@code body} sent at {@code at}. */
    public static String signature(String secret, Instant at, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((at.getEpochSecond() + ".").getBytes(StandardCharsets.US_ASCII));
            return "t=" + at.getEpochSecond() + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
