package io.zkml.api.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zkml.api.testing.Http;
import io.zkml.api.testing.TestModels;
import io.zkml.api.testing.TestPostgres;

/**
 * The free-form {@code metadata} map (issue 9) on model uploads (a multipart field holding a JSON
 * object) and circuit requests: stored, shown by the POST, the GET and the lists; a bad map (not
 * JSON, not an object, a bad key, a long or non-string value) is a 400 naming the field and stores
 * nothing; an idempotent retry with the same map gets the same resource, with another map a 422.
 * The API role only (no workers): nothing is compiled.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelCircuitMetadataTest {

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
        registry.add("zkml.role", () -> "api");
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Http http;
    TestModels.Example credit;

    @BeforeAll
    void client() {
        http = new Http(port);
        credit = TestModels.creditRisk();
    }

    long count(String table) {
        return jdbc.sql("SELECT count(*) FROM " + table).query(Long.class).single();
    }

    static List<Object> badMaps() {
        Map<String, Object> tooMany = new HashMap<>();
        for (int i = 0; i < 33; i++) {
            tooMany.put("k" + i, "v");
        }
        return List.of("not an object", List.of("a"), Map.of("n", 1), Map.of("bad key", "v"), Map.of("k", "x".repeat(513)),
                Map.of("k", "line\nbreak"), tooMany);
    }

    @Test
    void aModelUploadsMetadataIsStoredAndShownAndABadOneStoresNothing() {
        Http.Response r = http.postMultipart("/v1/models", Http.parts("file", credit.model(), "name", credit.name(),
                "metadata", "{\"team\": \"risk\", \"run:id\": \"2026-12-02.1\"}"));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().get("metadata").get("team").asString()).isEqualTo("risk");
        String id = r.text("id");
        assertThat(http.get("/v1/models/" + id).json().get("metadata").get("run:id").asString()).isEqualTo("2026-12-02.1");
        JsonNode listed = null;
        for (JsonNode m : http.get("/v1/models?limit=100").json().get("items")) {
            if (m.get("id").asString().equals(id)) {
                listed = m;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.get("metadata").get("team").asString()).isEqualTo("risk");

        long before = count("models");
        List<Object> bad = new java.util.ArrayList<>(badMaps());
        bad.add("{not json");
        for (Object m : bad) {
            String text = m instanceof String s && s.startsWith("{") ? s : Http.json().writeValueAsString(m);
            Http.Response p = http.postMultipart("/v1/models", Http.parts("file", credit.model(), "metadata", text));
            assertThat(p.status()).as(text + ": " + p).isEqualTo(400);
            assertThat(p.json().get("type").asString()).isEqualTo("urn:zkml:problem:invalid-request");
            assertThat(p.json().get("field").asString()).isEqualTo("metadata");
        }
        assertThat(count("models")).isEqualTo(before);
        // no metadata: absent, as before
        Http.Response plain = http.postMultipart("/v1/models", Http.parts("file", credit.model()));
        assertThat(plain.json().has("metadata")).isFalse();
    }

    @Test
    void aCircuitRequestsMetadataIsStoredShownListedAndPartOfItsIdempotencyKey() {
        String model = http.postMultipart("/v1/models", Http.parts("file", credit.model())).text("id");
        Map<String, Object> body = Map.of("quantization", credit.quantization(), "metadata", Map.of("purpose", "demo"));
        Http.Response r = http.postJson("/v1/models/" + model + "/circuits", body, "circuit-key-1");
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().get("metadata").get("purpose").asString()).isEqualTo("demo");
        String id = r.text("id");
        assertThat(http.get("/v1/circuits/" + id).json().get("metadata").get("purpose").asString()).isEqualTo("demo");
        JsonNode items = http.get("/v1/circuits?modelId=" + model).json().get("items");
        assertThat(items).hasSize(1);
        assertThat(items.get(0).get("metadata").get("purpose").asString()).isEqualTo("demo");
        // the same key and body: the same circuit; the same key with other metadata: 422
        assertThat(http.postJson("/v1/models/" + model + "/circuits", body, "circuit-key-1").text("id")).isEqualTo(id);
        Http.Response reused = http.postJson("/v1/models/" + model + "/circuits",
                Map.of("quantization", credit.quantization(), "metadata", Map.of("purpose", "other")), "circuit-key-1");
        assertThat(reused.status()).as(reused.toString()).isEqualTo(422);
        assertThat(reused.json().get("type").asString()).isEqualTo("urn:zkml:problem:idempotency-key-reused");

        long before = count("circuits");
        for (Object m : badMaps()) {
            Http.Response p = http.postJson("/v1/models/" + model + "/circuits",
                    Map.of("quantization", credit.quantization(), "metadata", m));
            assertThat(p.status()).as(m + ": " + p).isEqualTo(400);
            assertThat(p.json().get("field").asString()).isEqualTo("metadata");
        }
        assertThat(count("circuits")).isEqualTo(before);
        Http.Response plain = http.postJson("/v1/models/" + model + "/circuits", Map.of("quantization", credit.quantization()));
        assertThat(plain.json().has("metadata")).isFalse();
    }
}
