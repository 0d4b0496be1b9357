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
 * {@code /v1/circuits/{id}}, {@code /v1/circuits/{id}/ir}, {@code /v1/inferences/{id}}. Everything
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

    byte[] get(String path) {
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
            try {
                JsonNode p = Artifacts.JSON.readTree(r.body());
                if (p != null && p.hasNonNull("detail")) {
                    detail = ": " + Artifacts.firstLine(p.get("detail").asString());
                }
            } catch (RuntimeException ignored) {
                // not problem+json
            }
            throw CliException.badInput("GET " + uri + " answered " + r.statusCode() + detail);
        }
        return r.body();
    }

    JsonNode getJson(String path) {
        return Artifacts.parseJson(get(path), "the answer of GET " + base + path);
    }

    String base() {
        return base;
    }
}
