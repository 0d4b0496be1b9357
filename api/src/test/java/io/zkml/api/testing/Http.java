package io.zkml.api.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client for tests against the running service (real HTTP, JDK client). */
public final class Http {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    /** Sent as {@code Authorization: Bearer <key>} on every request, if not null. */
    private final String apiKey;

    public Http(int port) {
        this("http://127.0.0.1:" + port, null);
    }

    private Http(String base, String apiKey) {
        this.base = base;
        this.apiKey = apiKey;
    }

    /** The same client sending {@code Authorization: Bearer <key>} (none if null). */
    public Http withKey(String key) {
        return new Http(base, key);
    }

    /** Any request with these headers and a JSON body (null: no body). */
    public Response request(String method, String path, Map<String, String> headers, String jsonBody) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).method(method, jsonBody == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (jsonBody != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        return send(b.build());
    }

    /** A response; {@link #json()} parses the body. */
    public record Response(int status, String contentType, String location, String body,
                           java.net.http.HttpHeaders headers) {
        public Response(int status, String contentType, String location, String body) {
            this(status, contentType, location, body, java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true));
        }

        /** A response header, or null. */
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public JsonNode json() {
            return JSON.readTree(body);
        }

        public String text(String field) {
            JsonNode n = json().get(field);
            return n == null || n.isNull() ? null : n.asString();
        }

        @Override
        public String toString() {
            return status + " " + contentType + " " + body;
        }
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    public Response get(String path, String accept) {
        return send(HttpRequest.newBuilder(uri(path)).header("Accept", accept).GET().build());
    }

    /** A response whose body is kept as bytes (binary artifacts). */
    public record BytesResponse(int status, String contentType, byte[] body) {
    }

    /** GETs {@code path}, keeping the body as bytes. */
    public BytesResponse getBytes(String path, String accept) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri(path)).header("Accept", accept).GET();
        if (apiKey != null) {
            rb.header("Authorization", "Bearer " + apiKey);
        }
        HttpRequest request = rb.build();
        try {
            HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new BytesResponse(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        } catch (IOException e) {
            throw new AssertionError("GET " + request.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    public Response delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE().build());
    }

    /** POSTs a JSON document (an object serialized by Jackson, or a String sent as it is). */
    public Response postJson(String path, Object body) {
        return postJson(path, body, null);
    }

    /** POSTs a JSON document with an {@code Idempotency-Key} header (none if null). */
    public Response postJson(String path, Object body, String idempotencyKey) {
        String text = body instanceof String s ? s : JSON.writeValueAsString(body);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(text));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        return send(b.build());
    }

    /** POSTs multipart/form-data: {@code byte[]} values are files, everything else a text field. */
    public Response postMultipart(String path, Map<String, Object> parts) {
        return postMultipart(path, parts, null);
    }

    /** POSTs multipart/form-data with an {@code Idempotency-Key} header (none if null). */
    public Response postMultipart(String path, Map<String, Object> parts, String idempotencyKey) {
        return postMultipartWithHeaders(path, parts, idempotencyKey == null ? Map.of() : Map.of("Idempotency-Key", idempotencyKey));
    }

    /** POSTs multipart/form-data with these extra headers (issue 9: e.g. {@code Accept}). */
    public Response postMultipartWithHeaders(String path, Map<String, Object> parts, Map<String, String> headers) {
        String boundary = "----zkml" + UUID.randomUUID();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, Object> p : parts.entrySet()) {
            write(out, "--" + boundary + "\r\n");
            if (p.getValue() instanceof byte[] bytes) {
                write(out, "Content-Disposition: form-data; name=\"" + p.getKey() + "\"; filename=\"" + p.getKey()
                        + ".bin\"\r\nContent-Type: application/octet-stream\r\n\r\n");
                out.writeBytes(bytes);
                write(out, "\r\n");
            } else {
                write(out, "Content-Disposition: form-data; name=\"" + p.getKey() + "\"\r\n\r\n" + p.getValue() + "\r\n");
            }
        }
        write(out, "--" + boundary + "--\r\n");
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray()));
        headers.forEach(b::header);
        return send(b.build());
    }

    /**
     * Polls {@code path} until its {@code status} field is one of {@code terminal}, or fails after
     * {@code deadline}.
     */
    public JsonNode awaitStatus(String path, Set<String> terminal, Duration deadline) {
        Instant end = Instant.now().plus(deadline);
        Response last = null;
        long pause = 10;
        while (Instant.now().isBefore(end)) {
            last = get(path);
            if (last.status() != 200) {
                throw new AssertionError("GET " + path + " answered " + last);
            }
            if (terminal.contains(last.text("status"))) {
                return last.json();
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
            pause = Math.min(200, pause * 2);
        }
        throw new AssertionError(path + " did not reach " + terminal + " within " + deadline + "; last: " + last);
    }

    public static Map<String, Object> parts(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    public static JsonMapper json() {
        return JSON;
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private Response send(HttpRequest request) {
        if (apiKey != null && request.headers().firstValue("Authorization").isEmpty()) {
            request = HttpRequest.newBuilder(request, (n, v) -> true).header("Authorization", "Bearer " + apiKey).build();
        }
        try {
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""),
                    r.headers().firstValue("Location").orElse(null), r.body(), r.headers());
        } catch (IOException e) {
            throw new AssertionError(request.method() + " " + request.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }
}
