package io.zkml.api.problem;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An error with a known {@link ProblemType}. The message becomes the problem's {@code detail} and
 * must be written for the API's user (no class names, no stack traces); the properties become
 * extension members of the problem (e.g. {@code reason}).
 */
public class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ProblemType type;
    private final Map<String, Object> properties;
    private final Map<String, String> headers;

    public ApiException(ProblemType type, String detail) {
        this(type, detail, Map.of());
    }

    public ApiException(ProblemType type, String detail, Map<String, Object> properties) {
        this(type, detail, properties, Map.of());
    }

    /** With response headers, e.g. {@code Retry-After} of a 429 or {@code WWW-Authenticate} of a 401. */
    public ApiException(ProblemType type, String detail, Map<String, Object> properties, Map<String, String> headers) {
        super(detail);
        this.type = Objects.requireNonNull(type, "type");
        this.properties = new LinkedHashMap<>(properties);
        this.headers = new LinkedHashMap<>(headers);
    }

    /** Headers the response carries besides the problem. */
    public Map<String, String> headers() {
        return java.util.Collections.unmodifiableMap(headers);
    }

    public ProblemType type() {
        return type;
    }

    /** Extension members of the problem, in insertion order. */
    public Map<String, Object> properties() {
        return java.util.Collections.unmodifiableMap(properties);
    }

    public static ApiException notFound(String what, String id) {
        return new ApiException(ProblemType.NOT_FOUND, "no " + what + " with id '" + printableId(id) + "'");
    }

    /** An id as the client sent it, for a message: printable ASCII only, at most 64 characters. */
    static String printableId(String id) {
        if (id == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        id.codePoints().limit(64).forEach(cp -> b.appendCodePoint(cp >= 0x20 && cp < 0x7f ? cp : '?'));
        return id.codePointCount(0, id.length()) > 64 ? b + "..." : b.toString();
    }
}
