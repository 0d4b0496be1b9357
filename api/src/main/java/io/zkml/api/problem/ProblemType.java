package io.zkml.api.problem;

import java.net.URI;

import org.springframework.http.HttpStatus;

/**
 * Every kind of error the API reports, as RFC 9457 problem types. The {@link #uri() type URI} and
 * the {@link #title() title} of a kind never change; the {@code detail} of a response says what
 * exactly went wrong. docs/api-errors.md has one section per constant.
 */
public enum ProblemType {
    /** Unknown id (or a malformed one), unknown path. */
    NOT_FOUND("not-found", HttpStatus.NOT_FOUND, "Resource not found"),
    /** The request cannot be read: malformed JSON, a missing part or field, a value of the wrong type. */
    INVALID_REQUEST("invalid-request", HttpStatus.BAD_REQUEST, "Invalid request"),
    /** The path exists, the HTTP method does not. */
    METHOD_NOT_ALLOWED("method-not-allowed", HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed"),
    /** The Accept header asks for a representation this endpoint does not produce. */
    NOT_ACCEPTABLE("not-acceptable", HttpStatus.NOT_ACCEPTABLE, "Not acceptable"),
    /** The request body has a Content-Type this endpoint does not read. */
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"),
    /** The uploaded model is larger than the limit. */
    MODEL_TOO_LARGE("model-too-large", HttpStatus.CONTENT_TOO_LARGE, "Model too large"),
    /** The uploaded file is not a model in the declared format (empty, not protobuf, Java-serialized). */
    INVALID_MODEL("invalid-model", HttpStatus.UNPROCESSABLE_CONTENT, "Invalid model"),
    /** A readable model of a kind the compiler does not support. */
    UNSUPPORTED_MODEL_TYPE("unsupported-model-type", HttpStatus.UNPROCESSABLE_CONTENT, "Unsupported model type"),
    /** A graph (ONNX) with operators the compiler does not support; {@code operators} lists every one with its node. */
    UNSUPPORTED_OPERATOR("unsupported-operator", HttpStatus.UNPROCESSABLE_CONTENT, "Unsupported operator"),
    /** A readable model over one of the configured size limits ({@code zkml.models.*}: tree depth, ensemble members, tree nodes). */
    MODEL_LIMIT_EXCEEDED("model-limit-exceeded", HttpStatus.UNPROCESSABLE_CONTENT, "Model exceeds a limit"),
    /** A {@code format} no importer reads (v1: anything but {@code tribuo}). */
    UNSUPPORTED_MODEL_FORMAT("unsupported-model-format", HttpStatus.UNPROCESSABLE_CONTENT, "Unsupported model format"),
    /** A {@code provingSystem} other than {@code groth16} and {@code plonk}. */
    UNSUPPORTED_PROVING_SYSTEM("unsupported-proving-system", HttpStatus.UNPROCESSABLE_CONTENT, "Unsupported proving system"),
    /** Quantization settings that cannot apply to the model (wrong number of ranges, min > max...). */
    INVALID_QUANTIZATION_SETTINGS("invalid-quantization-settings", HttpStatus.UNPROCESSABLE_CONTENT,
            "Invalid quantization settings"),
    /** The circuit is not {@code ready} (still compiling, or failed). */
    CIRCUIT_NOT_READY("circuit-not-ready", HttpStatus.CONFLICT, "Circuit not ready"),
    /** An inference input the circuit cannot take: wrong count, not a finite number, out of range. */
    INVALID_INPUT("invalid-input", HttpStatus.UNPROCESSABLE_CONTENT, "Invalid input"),
    /** A proof that is not 0x-hex of 256 bytes, or whose points are not on the curve. */
    MALFORMED_PROOF("malformed-proof", HttpStatus.BAD_REQUEST, "Malformed proof"),
    /** Public inputs of the wrong count, not decimal integers, or not below the field modulus. */
    INVALID_PUBLIC_INPUTS("invalid-public-inputs", HttpStatus.BAD_REQUEST, "Invalid public inputs"),
    /** A stored artifact was made by another gnark or native ABI version than this service runs. */
    INCOMPATIBLE_ARTIFACT("incompatible-artifact", HttpStatus.CONFLICT, "Incompatible artifact"),
    /** An {@code Idempotency-Key} sent again with a different request. */
    IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency key reused"),
    /** A circuit {@code visibility} that is unknown or not supported yet (e.g. hashed outputs or weights). */
    UNSUPPORTED_VISIBILITY("unsupported-visibility", HttpStatus.UNPROCESSABLE_CONTENT, "Unsupported visibility"),
    /**
     * An inference {@code salt} that is not a field element (a canonical decimal in {@code [0, r)}), or a
     * salt for a circuit whose inputs are not hashed.
     */
    INVALID_SALT("invalid-salt", HttpStatus.UNPROCESSABLE_CONTENT, "Invalid salt"),
    /** No API key where one is needed, or a key that is unknown or revoked ({@code WWW-Authenticate: Bearer}). */
    UNAUTHORIZED("unauthorized", HttpStatus.UNAUTHORIZED, "Unauthorized"),
    /** The API key lacks the scope the request needs ({@code requiredScope}). */
    FORBIDDEN("forbidden", HttpStatus.FORBIDDEN, "Forbidden"),
    /** A per-key limit is reached ({@code limit}: proofs-per-minute or concurrent-jobs); {@code Retry-After} says when to retry. */
    RATE_LIMITED("rate-limited", HttpStatus.TOO_MANY_REQUESTS, "Too many requests"),
    /** A deployment asked for a chain this service is not configured for ({@code zkml.chain.*}). */
    CHAIN_NOT_CONFIGURED("chain-not-configured", HttpStatus.UNPROCESSABLE_CONTENT, "Chain not configured"),
    /** The chain's node did not answer, or refused a transaction the service sent. */
    CHAIN_UNAVAILABLE("chain-unavailable", HttpStatus.SERVICE_UNAVAILABLE, "Chain unavailable"),
    // issue 7
    /**
     * A circuit's {@code setup} that this service cannot or may not run: an unknown {@code trust}, one
     * that does not fit the proving system, {@code universal-srs} without a configured powers-of-tau
     * file, {@code local-unsafe} outside development mode ({@code supportedTrust}).
     */
    UNSUPPORTED_SETUP("unsupported-setup", HttpStatus.UNPROCESSABLE_CONTENT, "Unsupported setup"),
    // issue 9
    /** PostgreSQL cannot be reached (an outage, a full pool); answered within the pool's short timeout, with {@code Retry-After}. */
    DATABASE_UNAVAILABLE("database-unavailable", HttpStatus.SERVICE_UNAVAILABLE, "Database unavailable"),
    /** Cancellation of an inference that is no longer queued ({@code status}: proving, succeeded, failed, cancelled). */
    NOT_CANCELLABLE("not-cancellable", HttpStatus.CONFLICT, "Not cancellable"),
    /** A ceremony contribution that does not verify against the latest state; nothing stored ({@code latestStateSha256}). */
    INVALID_CONTRIBUTION("invalid-contribution", HttpStatus.UNPROCESSABLE_CONTENT, "Invalid contribution"),
    /** Finalize before the ceremony has its minimum number of contributions ({@code contributions}, {@code minContributions}). */
    CEREMONY_INCOMPLETE("ceremony-incomplete", HttpStatus.CONFLICT, "Ceremony incomplete"),
    /** A contribution or finalize for a ceremony that is already finalized ({@code circuitStatus}). */
    CEREMONY_NOT_OPEN("ceremony-not-open", HttpStatus.CONFLICT, "Ceremony not open"),
    /** A JSON body over {@code zkml.http.max-json-body} ({@code maxBytes}). */
    REQUEST_TOO_LARGE("request-too-large", HttpStatus.CONTENT_TOO_LARGE, "Request too large"),
    /** The request's body did not arrive in time (a stalled upload). */
    REQUEST_TIMEOUT("request-timeout", HttpStatus.REQUEST_TIMEOUT, "Request timeout"),
    // issue 9 (deletion)
    /** A DELETE of a model or circuit that something still refers to or works on; nothing deleted ({@code references}). */
    RESOURCE_IN_USE("resource-in-use", HttpStatus.CONFLICT, "Resource in use"),
    // issue 7
    /** A snarkjs export (verification_key.json, the verifier page's bundle) of a circuit that range-checks by lookup. */
    UNSUPPORTED_RANGE_CHECK("unsupported-range-check", HttpStatus.UNPROCESSABLE_CONTENT, "Unsupported range check"),
    /** A bug or an unexpected failure; the log has the details, the response has a reference. */
    INTERNAL_ERROR("internal-error", HttpStatus.INTERNAL_SERVER_ERROR, "Internal error");

    /** Prefix of every type URI. */
    public static final String URN_PREFIX = "urn:zkml:problem:";

    private final URI uri;
    private final HttpStatus status;
    private final String title;

    ProblemType(String slug, HttpStatus status, String title) {
        this.uri = URI.create(URN_PREFIX + slug);
        this.status = status;
        this.title = title;
    }

    public URI uri() {
        return uri;
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }
}
