package io.zkml.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import tools.jackson.databind.JsonNode;

/**
 * Reads what a zkml service publishes (GET only, api/src/main/resources/openapi/zkml-v1.yaml):
 * {@code /v1/circuits/{id}}, {@code /v1/circuits/{id}/ir}, {@code /v1/circuits/{id}/verifying-key},
 * {@code /v1/inferences/{id}}. Everything
 * fetched is then checked locally; nothing is sent to the service for checking.
 */
final class ServiceClient {

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    ServiceClient(String url) {
        String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        if (!u.startsWith("http://") && !u.startsWith("https://")) {
            throw CliException.usage("--service must be an http:// or https:// URL, got " + url);
        }
        this.base = u;
    }

    /**
     * A service answer that is not 200.
     *
     * @param problemType the {@code type} of an RFC 9457 problem body ({@code urn:zkml:problem:...}), or ""
     */
    record Failure(URI uri, int status, String problemType, String detail) {
        CliException toException() {
            return CliException.badInput("GET " + uri + " answered " + status + (detail.isEmpty() ? "" : ": " + detail));
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
        HttpResponse<byte[]> r;
        try {
            r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw CliException.badInput("cannot fetch " + uri + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : Artifacts.firstLine(e.getMessage())), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.badInput("interrupted while fetching " + uri);
        }
        if (r.statusCode() != 200) {
            String detail = "";
            String type = "";
            try {
                JsonNode p = Artifacts.JSON.readTree(r.body());
                if (p != null && p.hasNonNull("detail")) {
                    detail = Artifacts.firstLine(p.get("detail").asString());
                }
                if (p != null && p.hasNonNull("type")) {
                    type = p.get("type").asString();
                }
            } catch (RuntimeException ignored) {
                // not problem+json
            }
            return onFailure.apply(new Failure(uri, r.statusCode(), type, detail));
        }
        return r.body();
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
            return circuit.path("verifyingKeyHash").asString("");
        }
    }

    /**
     * GET /v1/inferences/{id} (it must have succeeded) and GET /v1/circuits/{its circuitId}.
     *
     * @param expectedCircuit the circuit the inference must belong to, or null
     */
    Published published(String inferenceId, String expectedCircuit) {
        JsonNode inf = getJson("/v1/inferences/" + inferenceId);
        String status = inf.path("status").asString("");
        if (!"succeeded".equals(status)) {
            throw CliException.badInput("inference " + inferenceId + " is " + (status.isEmpty() ? "of unknown status" : status)
                    + ", not succeeded: there is no proof");
        }
        String circuitId = inf.path("circuitId").asString("");
        if (circuitId.isEmpty()) {
            throw CliException.badInput("inference " + inferenceId + " names no circuitId");
        }
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
