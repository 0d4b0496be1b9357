package io.zkml.api.problem;

import java.io.IOException;
import java.util.Map;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A size limit on JSON bodies under {@code /v1} (issue 9, defect 3: one 83 MB JSON request was
 * accepted and stored): a {@code Content-Length} over {@code zkml.http.max-json-body} is refused at
 * once with 413 {@code request-too-large}; a body without a length (chunked) is read through a
 * counting stream that fails at the limit, which {@link ProblemAdvice} turns into the same 413.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class JsonBodyLimit extends OncePerRequestFilter {

    /** Thrown by the counting stream; found in the cause chain by {@link ProblemAdvice}. */
    public static final class TooLargeException extends IOException {
        private final long limit;

        TooLargeException(long limit) {
            super("the JSON body exceeds " + limit + " bytes");
            this.limit = limit;
        }

        public long limit() {
            return limit;
        }
    }

    private final long limit;
    private final JsonMapper mapper;

    /** {@code zkml.http.max-json-body}: the largest JSON request body (default {@code 2MB}). */
    JsonBodyLimit(@org.springframework.beans.factory.annotation.Value("${zkml.http.max-json-body:2MB}")
                  org.springframework.util.unit.DataSize maxJsonBody, JsonMapper mapper) {
        this.limit = maxJsonBody.toBytes();
        this.mapper = mapper;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String type = request.getContentType();
        if (type == null || !request.getRequestURI().startsWith(request.getContextPath() + "/v1/")) {
            return true;
        }
        try {
            MediaType t = MediaType.parseMediaType(type);
            return !(MediaType.APPLICATION_JSON.includes(t) || t.getSubtype().endsWith("+json"));
        } catch (RuntimeException e) {
            return true;
        }
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > limit) {
            ProblemDetail pd = tooLarge(limit, request.getRequestURI());
            response.setStatus(pd.getStatus());
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setHeader("Connection", "close");
            response.getOutputStream().write(mapper.writeValueAsBytes(pd));
            return;
        }
        chain.doFilter(new Limited(request, limit), response);
    }

    static ProblemDetail tooLarge(long limit, String path) {
        return Problems.of(ProblemType.REQUEST_TOO_LARGE, "the JSON body is larger than the limit of " + limit + " bytes",
                path, Map.of("maxBytes", limit));
    }

    private static final class Limited extends HttpServletRequestWrapper {
        private final long limit;
        private ServletInputStream stream;

        Limited(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                ServletInputStream in = super.getInputStream();
                stream = new ServletInputStream() {
                    long read;

                    private void count(long n) throws TooLargeException {
                        read += n;
                        if (read > limit) {
                            throw new TooLargeException(limit);
                        }
                    }

                    @Override
                    public int read() throws IOException {
                        int b = in.read();
                        if (b >= 0) {
                            count(1);
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int n = in.read(b, off, len);
                        if (n > 0) {
                            count(n);
                        }
                        return n;
                    }

                    @Override
                    public boolean isFinished() {
                        return in.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return in.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        in.setReadListener(listener);
                    }
                };
            }
            return stream;
        }
    }
}
