package io.zkml.api.problem;

import java.net.URI;
import java.util.Map;

import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/** Builds {@link ProblemDetail}s that follow the rules of {@link ProblemType}. */
public final class Problems {

    /** The members RFC 9457 defines; extension members must not reuse their names. */
    private static final java.util.Set<String> RESERVED = java.util.Set.of("type", "title", "status", "detail", "instance");

    private Problems() {
    }

    /** A problem of this type with this detail; {@code instance} is the request path if known. */
    public static ProblemDetail of(ProblemType type, String detail, String path, Map<String, Object> properties) {
        ProblemDetail pd = ProblemDetail.forStatusAndDetail(type.status(), detail);
        pd.setType(type.uri());
        pd.setTitle(type.title());
        if (path != null && !path.isEmpty()) {
            pd.setInstance(URI.create(path.replace(" ", "%20")));
        }
        properties.forEach((k, v) -> {
            if (RESERVED.contains(k)) {
                throw new IllegalArgumentException("problem extension member '" + k + "' would shadow an RFC 9457 member");
            }
            pd.setProperty(k, v);
        });
        return pd;
    }

    /** The problem type for an HTTP status that Spring (not our code) decided on. */
    public static ProblemType forStatus(HttpStatusCode status) {
        return switch (status.value()) {
            case 404 -> ProblemType.NOT_FOUND;
            case 405 -> ProblemType.METHOD_NOT_ALLOWED;
            case 406 -> ProblemType.NOT_ACCEPTABLE;
            case 408 -> ProblemType.REQUEST_TIMEOUT; // issue 9 (defect 9): not invalid-request, which is a 400
            case 413 -> ProblemType.MODEL_TOO_LARGE;
            case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
            default -> status.is4xxClientError() ? ProblemType.INVALID_REQUEST : ProblemType.INTERNAL_ERROR;
        };
    }
}
