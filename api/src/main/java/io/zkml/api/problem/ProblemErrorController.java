package io.zkml.api.problem;

import java.util.Map;
import java.util.UUID;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors that never reach a controller (the servlet container's own, e.g. a request rejected
 * before dispatch) are forwarded to {@code /error}; this answers them with problem+json too,
 * replacing Spring Boot's JSON/HTML error page.
 */
@RestController
class ProblemErrorController implements ErrorController {

    private static final Logger log = LoggerFactory.getLogger(ProblemErrorController.class);

    @RequestMapping(path = "${server.error.path:/error}")
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatusCode status = code instanceof Integer i ? HttpStatusCode.valueOf(i) : HttpStatus.NOT_FOUND;
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String path = uri instanceof String s ? s : request.getRequestURI();
        ProblemType type = Problems.forStatus(status);
        ProblemDetail pd;
        if (type == ProblemType.INTERNAL_ERROR) {
            String reference = UUID.randomUUID().toString();
            Object ex = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
            log.error("internal error {} on {}", reference, path, ex instanceof Throwable t ? t : null);
            pd = ProblemAdvice.internal(reference, path);
        } else {
            pd = Problems.of(type, type == ProblemType.NOT_FOUND ? "no resource at " + path : type.title(), path, Map.of());
            pd.setStatus(status.value());
        }
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(pd);
    }
}
