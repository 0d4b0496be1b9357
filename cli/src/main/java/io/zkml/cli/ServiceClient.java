package io.zkml.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;

/**
 * Reads what a zkml service publishes (GET only, api/src/main/resources/openapi/zkml-v1.yaml):
 * {@code /v1/circuits/{id}}, {@code /v1/circuits/{id}/ir}, {@code /v1/circuits/{id}/verifying-key},
 * {@code /v1/inferences/{id}}. Everything
 * fetched is then checked locally; nothing is sent to the service for checking.
 */
final class ServiceClient {

    /** The most bytes read from one answer: an IR ({@code /ir}) may be larger than the other documents. */
    static final long MAX_IR = 64L << 20;
    static final long MAX_BODY = 16L << 20;
    /** How long one GET may take in all, body included (the request timeout alone stops at the headers). */
    static final Duration DEADLINE = Duration.ofSeconds(120);
    /** An id put into a path: no separators, queries, fragments or dot segments. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,127}");

    private final String base;
    private final Duration deadline;
    /** Sent as {@code Authorization: Bearer …} when not null (--api-key, ZKML_API_KEY; issue 9). */
    private final String apiKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    ServiceClient(String url) {
        this(url, DEADLINE);
    }

    ServiceClient(String url, Duration deadline) {
        this(url, deadline, null);
    }

    /** With an API key ({@code zk_…}; null or blank: none) for a service that requires keys. */
    ServiceClient(String url, String apiKey) {
        this(url, DEADLINE, apiKey);
    }

    ServiceClient(String url, Duration deadline, String apiKey) {
        this.deadline = deadline;
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
        if (this.apiKey != null && !this.apiKey.matches("[A-Za-z0-9_~.+/=-]{1,256}")) {
            throw CliException.usage("--api-key (or ZKML_API_KEY) must be a key such as zk_..., without spaces or control characters");
        }
        String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        if (!u.startsWith("http://") && !u.startsWith("https://")) {
            throw CliException.usage("--service must be an http:// or https:// URL, got " + url);
        }
        this.base = u;
    }

    private HttpRequest request(URI uri) {
        return authorized(HttpRequest.newBuilder(uri)).timeout(Duration.ofSeconds(60)).GET().build();
    }

    /**
     * A service answer that is not 200.
     *
     * @param problemType the {@code type} of an RFC 9457 problem body ({@code urn:zkml:problem:...}), or ""
     */
    record Failure(URI uri, int status, String problemType, String detail) {
        CliException toException() {
            return CliException.badInput("GET " + uri + " answered " + status + (detail.isEmpty() ? "" : ": " + Artifacts.untrusted(detail)));
        }
    }

    /** GET {@code path}: the body of a 200, else a {@link CliException} (bad input) naming status and detail. */
    byte[] get(String path) {
        return get(path, f -> {
            throw f.toException();
        });
    }

    /** GET {@code path}: the body of a 200, else what {@code onFailure} returns (or throws). */
    byte[] get(String path, java.util.function.Function<Failure, byte[]> onFailure) {
        URI uri;
        try {
            uri = URI.create(base + path);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("not a valid URL: " + base + path);
        }
        long limit = path.endsWith("/ir") ? MAX_IR : MAX_BODY;
        HttpResponse<byte[]> r;
        CompletableFuture<HttpResponse<byte[]>> f = http.sendAsync(
                request(uri), info -> new Limited(limit));
        try {
            r = f.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw CliException.badInput("cannot fetch " + uri + ": timed out after " + deadline.toSeconds() + " s");
        } catch (ExecutionException e) {
            Throwable c = e.getCause() instanceof IOException && e.getCause().getCause() instanceof TooLarge t ? t : e.getCause();
            if (c instanceof TooLarge) {
                throw CliException.badInput("cannot fetch " + uri + ": the answer is larger than " + (limit >> 20) + " MiB", c);
            }
            throw CliException.badInput("cannot fetch " + uri + ": " + (c == null || c.getMessage() == null
                    ? (c == null ? "failed" : c.getClass().getSimpleName()) : Artifacts.untrusted(Artifacts.firstLine(c.getMessage()))), c);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw CliException.badInput("interrupted while fetching " + uri);
        }
        String scheme = r.uri().getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw CliException.badInput("GET " + uri + " was redirected to a " + Artifacts.untrusted(scheme) + ": URL");
        }
        if (r.statusCode() != 200) {
            String detail = "";
            String type = "";
            try {
                JsonNode p = Artifacts.JSON.readTree(r.body());
                if (p != null && p.hasNonNull("detail")) {
                    detail = Artifacts.untrusted(Artifacts.firstLine(p.get("detail").asString()));
                }
                if (p != null && p.hasNonNull("type")) {
                    type = Artifacts.untrusted(p.get("type").asString());
                }
            } catch (RuntimeException ignored) {
                // not problem+json
            }
            return onFailure.apply(new Failure(uri, r.statusCode(), type, detail));
        }
        return r.body();
    }

    /**
     * POST a JSON body to {@code path} ({@code zkml chain request}: an inference of hashed inputs):
     * the body of a 2xx answer, else a {@link CliException} (bad input) naming status and detail.
     */
    byte[] postJson(String path, byte[] body) {
        URI uri;
        try {
            uri = URI.create(base + path);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("not a valid URL: " + base + path);
        }
        HttpResponse<byte[]> r;
        try {
            r = http.send(authorized(HttpRequest.newBuilder(uri)).timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), info -> new Limited(MAX_BODY));
        } catch (IOException e) {
            throw CliException.badInput("cannot POST " + uri + ": " + Artifacts.untrusted(Artifacts.firstLine(String.valueOf(e.getMessage()))), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.badInput("interrupted while posting to " + uri);
        }
        if (r.statusCode() / 100 != 2) {
            String detail = "";
            try {
                JsonNode p = Artifacts.JSON.readTree(r.body());
                if (p != null && p.hasNonNull("detail")) {
                    detail = Artifacts.untrusted(Artifacts.firstLine(p.get("detail").asString()));
                }
            } catch (RuntimeException ignored) {
                // not problem+json
            }
            throw CliException.badInput("POST " + uri + " answered " + r.statusCode() + (detail.isEmpty() ? "" : ": " + detail));
        }
        return r.body();
    }

    /** The environment variable whose API key, when set, is sent as {@code Authorization: Bearer <key>}. */
    static final String API_KEY_ENV = "ZKML_API_KEY";

    private HttpRequest.Builder authorized(HttpRequest.Builder b) {
        return apiKey == null ? b : b.header("Authorization", "Bearer " + apiKey);
    }

    /** Reads at most {@code limit} bytes of a body, then fails (and cancels the download). */
    private static final class Limited implements HttpResponse.BodySubscriber<byte[]> {
        private final long limit;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private Flow.Subscription subscription;
        private long n;

        Limited(long limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                if (result.isDone()) {
                    return;
                }
                n += b.remaining();
                if (n > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new TooLarge());
                    return;
                }
                byte[] a = new byte[b.remaining()];
                b.get(a);
                buf.write(a, 0, a.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(buf.toByteArray());
        }
    }

    private static final class TooLarge extends IOException {
        TooLarge() {
            super("answer too large");
        }
    }

    /**
     * {@code id} as one path segment; it comes from the user or from a fetched document.
     *
     * @param what what to name in the message
     */
    static String segment(String id, String what) {
        if (id == null || !ID.matcher(id).matches()) {
            throw CliException.badInput(what + " is not a valid id: \"" + Artifacts.untrusted(String.valueOf(id)) + "\"");
        }
        return id;
    }

    JsonNode getJson(String path) {
        return Artifacts.parseJson(get(path), "the answer of GET " + base + path);
    }

    /**
     * A succeeded inference and its circuit, as published.
     *
     * @param source the inference's URL
     */
    record Published(String inferenceId, String circuitId, JsonNode inference, JsonNode circuit, String source) {
        String verifyingKeyHash() {
            return Artifacts.untrusted(circuit.path("verifyingKeyHash").asString(""));
        }
    }

    /**
     * GET /v1/inferences/{id} (it must have succeeded) and GET /v1/circuits/{its circuitId}.
     *
     * @param expectedCircuit the circuit the inference must belong to, or null
     */
    Published published(String inferenceId, String expectedCircuit) {
        JsonNode inf = getJson("/v1/inferences/" + segment(inferenceId, "--inference"));
        String status = inf.path("status").asString("");
        if (!"succeeded".equals(status)) {
            throw CliException.badInput("inference " + inferenceId + " is " + (status.isEmpty() ? "of unknown status" : Artifacts.untrusted(status))
                    + ", not succeeded: there is no proof");
        }
        String circuitId = inf.path("circuitId").asString("");
        if (circuitId.isEmpty()) {
            throw CliException.badInput("inference " + inferenceId + " names no circuitId");
        }
        segment(circuitId, "the circuitId of inference " + inferenceId);
        if (expectedCircuit != null && !expectedCircuit.equals(circuitId)) {
            throw CliException.badInput("inference " + inferenceId + " belongs to circuit " + circuitId + ", not " + expectedCircuit);
        }
        JsonNode circuit = getJson("/v1/circuits/" + circuitId);
        return new Published(inferenceId, circuitId, inf, circuit, base + "/v1/inferences/" + inferenceId);
    }

    String base() {
        return base;
    }
}
