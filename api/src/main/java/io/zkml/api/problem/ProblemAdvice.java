package io.zkml.api.problem;

import java.util.Map;
import java.util.UUID;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DatabindException;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.util.unit.DataSize;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * The one place where exceptions become {@code application/problem+json} (RFC 9457): our own
 * {@link ApiException}s, Spring MVC's own errors (malformed JSON, missing part, wrong method,
 * unknown path...) and anything unexpected (500, logged with a reference, no details leaked).
 */
@RestControllerAdvice
public class ProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

    /** The multipart file-size limit, for the message of {@code model-too-large}. */
    private final DataSize maxFileSize;

    ProblemAdvice(@Value("${spring.servlet.multipart.max-file-size:1MB}") DataSize maxFileSize) {
        this.maxFileSize = maxFileSize;
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> handleApi(ApiException e, HttpServletRequest request) {
        ProblemDetail pd = Problems.of(e.type(), e.getMessage(), request.getRequestURI(), e.properties());
        HttpHeaders headers = new HttpHeaders();
        e.headers().forEach(headers::set);
        return ResponseEntity.status(pd.getStatus()).headers(headers).body(pd);
    }

    /** Not a multipart request at all (a multipart endpoint called with another body). */
    @ExceptionHandler(MultipartException.class)
    ResponseEntity<ProblemDetail> handleMultipart(MultipartException e, HttpServletRequest request) {
        if (e instanceof MaxUploadSizeExceededException big) {
            return respond(tooLarge(big, request.getRequestURI()));
        }
        return respond(Problems.of(ProblemType.INVALID_REQUEST,
                "the request must be multipart/form-data with the parts this endpoint documents",
                request.getRequestURI(), Map.of()));
    }

    /** Seconds a client is told to wait after a {@code database-unavailable} (issue 9). */
    static final long DATABASE_RETRY_AFTER_SECONDS = 5;

    /**
     * PostgreSQL unreachable or the pool exhausted (issue 9): 503 with {@code Retry-After}, fast (the
     * pool's connection timeout), never a 500 or a hang.
     */
    @ExceptionHandler({org.springframework.jdbc.CannotGetJdbcConnectionException.class,
            org.springframework.transaction.CannotCreateTransactionException.class,
            org.springframework.dao.DataAccessResourceFailureException.class,
            org.springframework.dao.TransientDataAccessResourceException.class,
            org.springframework.dao.RecoverableDataAccessException.class})
    ResponseEntity<ProblemDetail> handleDatabaseDown(org.springframework.core.NestedRuntimeException e,
                                                     HttpServletRequest request) {
        log.warn("database unavailable on {} {}: {}", request.getMethod(), request.getRequestURI(),
                e.getMostSpecificCause() != null ? e.getMostSpecificCause().getMessage() : e.getMessage());
        ProblemDetail pd = Problems.of(ProblemType.DATABASE_UNAVAILABLE,
                "the database is unavailable; retry in " + DATABASE_RETRY_AFTER_SECONDS + " s", request.getRequestURI(),
                Map.of("retryAfterSeconds", DATABASE_RETRY_AFTER_SECONDS));
        return ResponseEntity.status(pd.getStatus())
                .header(HttpHeaders.RETRY_AFTER, Long.toString(DATABASE_RETRY_AFTER_SECONDS)).body(pd);
    }

    /**
     * A query string (or form body) Tomcat cannot parse, e.g. a parameter without a name
     * ({@code ?=&limit=5}): thrown when a parameter is first read; a 400, not a 500 (found by the
     * OpenAPI fuzz run, issue 9).
     */
    @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
    ResponseEntity<ProblemDetail> handleInvalidParameters(Exception e, HttpServletRequest request) {
        return respond(Problems.of(ProblemType.INVALID_REQUEST,
                "the query string is malformed (a parameter without a name, or bytes that are not valid percent-encoded UTF-8)",
                request.getRequestURI(), Map.of()));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> handleUnexpected(Exception e, HttpServletRequest request) {
        String reference = UUID.randomUUID().toString();
        log.error("internal error {} on {} {}", reference, request.getMethod(), request.getRequestURI(), e);
        return respond(internal(reference, request.getRequestURI()));
    }

    static ProblemDetail internal(String reference, String path) {
        return Problems.of(ProblemType.INTERNAL_ERROR,
                "an internal error occurred; it was logged with reference " + reference, path,
                Map.of("reference", reference));
    }

    private ProblemDetail tooLarge(MaxUploadSizeExceededException e, String path) {
        long limit = e.getMaxUploadSize() > 0 ? e.getMaxUploadSize() : maxFileSize.toBytes();
        return Problems.of(ProblemType.MODEL_TOO_LARGE, "the upload exceeds the size limit of " + limit + " bytes", path,
                Map.of("maxBytes", limit));
    }

    /**
     * Every error Spring MVC handles itself ends here: give it our type, title and a detail
     * without class names.
     */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                             HttpStatusCode statusCode, WebRequest request) {
        String path = request instanceof ServletWebRequest swr ? swr.getRequest().getRequestURI() : null;
        ProblemDetail pd;
        JsonBodyLimit.TooLargeException tooLargeJson = org.springframework.core.NestedExceptionUtils.getRootCause(ex)
                instanceof JsonBodyLimit.TooLargeException t ? t : findTooLarge(ex);
        if (ex instanceof MaxUploadSizeExceededException big) {
            pd = tooLarge(big, path);
        } else if (tooLargeJson != null) { // issue 9: a chunked JSON body over zkml.http.max-json-body
            pd = JsonBodyLimit.tooLarge(tooLargeJson.limit(), path);
        } else {
            ProblemType type = Problems.forStatus(statusCode);
            String detail = switch (ex) {
                case HttpMessageNotReadableException nr -> unreadable(nr);
                case org.springframework.web.ErrorResponse er when er.getBody().getDetail() != null -> er.getBody().getDetail();
                default -> body instanceof ProblemDetail p && p.getDetail() != null ? p.getDetail() : type.title();
            };
            if (type == ProblemType.INTERNAL_ERROR) {
                String reference = UUID.randomUUID().toString();
                log.error("internal error {} on {}", reference, path, ex);
                pd = internal(reference, path);
            } else {
                pd = Problems.of(type, detail, path, Map.of());
            }
        }
        HttpHeaders h = new HttpHeaders();
        if (headers != null) {
            h.putAll(headers);
        }
        return ResponseEntity.status(pd.getStatus()).headers(h).body(pd);
    }

    private static JsonBodyLimit.TooLargeException findTooLarge(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JsonBodyLimit.TooLargeException tl) {
                return tl;
            }
        }
        return null;
    }

    /** What is wrong with an unreadable body, in JSON terms (never a Java type name). */
    private static String unreadable(HttpMessageNotReadableException e) {
        Throwable cause = e.getMostSpecificCause();
        if (cause instanceof StreamReadException sre) {
            var loc = sre.getLocation();
            String where = loc != null && loc.getLineNr() > 0
                    ? " at line " + loc.getLineNr() + ", column " + loc.getColumnNr() : "";
            return "the request body is not valid JSON" + where;
        }
        if (cause instanceof DatabindException de) {
            String path = de.getPath().isEmpty() ? "" : " at " + jsonPath(de);
            return "the request body does not have the expected shape" + path;
        }
        if (cause instanceof JacksonException) {
            return "the request body is not valid JSON";
        }
        return "the request body is missing or unreadable";
    }

    private static String jsonPath(DatabindException de) {
        StringBuilder sb = new StringBuilder("$");
        for (var ref : de.getPath()) {
            if (ref.getPropertyName() != null) {
                sb.append('.').append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static ResponseEntity<ProblemDetail> respond(ProblemDetail pd) {
        return ResponseEntity.status(pd.getStatus()).body(pd);
    }
}
