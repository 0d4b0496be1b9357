package io.zkml.api.circuits;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zkml.api.testing.Http;
import io.zkml.api.testing.TestPostgres;

/**
 * Issue 9, over HTTP: defect 3's remainder (a limit on {@code quantization.sampleInputs} rows, a 422
 * naming it before anything is stored; {@code GET /v1/circuits/{id}} summarizes the rows instead of
 * echoing them); idempotency keys that expire ({@code zkml.idempotency.ttl}, short here: 1 h, the
 * keys' rows are backdated rather than waited for).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BulkSettingsAndKeyExpiryTest {

    private static final Path DEMO = Path.of("..", "examples", "credit-risk").toAbsolutePath().normalize();

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
        registry.add("zkml.role", () -> "api"); // nothing here needs a worker
        registry.add("zkml.circuits.max-sample-inputs", () -> "5");
        registry.add("zkml.idempotency.ttl", () -> "1h");
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Http http;
    String modelId;

    @BeforeAll
    void setUp() throws Exception {
        http = new Http(port);
        Http.Response up = http.postMultipart("/v1/models",
                Http.parts("file", Files.readAllBytes(DEMO.resolve("model.tribuo")), "format", "tribuo", "name", "bulk"));
        assertThat(up.status()).as(up.toString()).isEqualTo(201);
        modelId = up.text("id");
    }

    private Http.Response uploadWithKey(String name, String key) throws Exception {
        return http.postMultipart("/v1/models",
                Http.parts("file", Files.readAllBytes(DEMO.resolve("model.tribuo")), "format", "tribuo", "name", name), key);
    }

    private void backdate(String key, String age) {
        jdbc.sql("UPDATE idempotency_keys SET created_at = now() - ?::interval WHERE key = ?").params(age, key).update();
    }

    @Test
    void aKeyOlderThanTheTtlIsANewKeyAndExpiredRowsArePurged() throws Exception {
        Http.Response first = uploadWithKey("ttl-a", "ttl-key-1");
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        Http.Response replay = uploadWithKey("ttl-a", "ttl-key-1");
        assertThat(replay.text("id")).isEqualTo(first.text("id"));

        backdate("ttl-key-1", "59 minutes"); // within the TTL: still the same key
        assertThat(uploadWithKey("ttl-a", "ttl-key-1").text("id")).isEqualTo(first.text("id"));
        assertThat(uploadWithKey("ttl-other", "ttl-key-1").status()).isEqualTo(422); // reused

        backdate("ttl-key-1", "61 minutes"); // expired: a new key, even for another request
        Http.Response fresh = uploadWithKey("ttl-b", "ttl-key-1");
        assertThat(fresh.status()).as(fresh.toString()).isEqualTo(201);
        assertThat(fresh.text("id")).isNotEqualTo(first.text("id"));
        assertThat(fresh.text("name")).isEqualTo("ttl-b");
        assertThat(uploadWithKey("ttl-b", "ttl-key-1").text("id")).isEqualTo(fresh.text("id"));

        // an expired row of another key is purged by the next claim; a live one stays
        assertThat(uploadWithKey("ttl-c", "ttl-key-2").status()).isEqualTo(201);
        assertThat(uploadWithKey("ttl-d", "ttl-key-3").status()).isEqualTo(201);
        backdate("ttl-key-2", "2 hours");
        assertThat(uploadWithKey("ttl-e", "ttl-key-4").status()).isEqualTo(201);
        List<String> keys = jdbc.sql("SELECT key FROM idempotency_keys WHERE key LIKE 'ttl-key-%' ORDER BY key")
                .query(String.class).list();
        assertThat(keys).containsExactly("ttl-key-1", "ttl-key-3", "ttl-key-4");
    }

    private long count(String table) {
        return jdbc.sql("SELECT count(*) FROM " + table).query(Long.class).single();
    }

    private static List<List<Double>> rows(int n) {
        List<List<Double>> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(List.of(1.0 + i, 0.5, 100.0, 2.0, 50.0));
        }
        return rows;
    }

    @Test
    void moreSampleRowsThanTheLimitIs422NamingItAndStoresNothing() {
        long circuits = count("circuits");
        long jobs = count("jobs");
        Http.Response r = http.postJson("/v1/models/" + modelId + "/circuits",
                Map.of("quantization", Map.of("sampleInputs", rows(6))));
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("type").asString()).isEqualTo("urn:zkml:problem:invalid-quantization-settings");
        assertThat(r.json().get("detail").asString()).contains("6 rows", "limit of 5", "zkml.circuits.max-sample-inputs");
        assertThat(r.json().get("maxSampleInputs").asInt()).isEqualTo(5);
        assertThat(count("circuits")).isEqualTo(circuits);
        assertThat(count("jobs")).isEqualTo(jobs);
    }

    @Test
    void getSummarizesSampleRowsInsteadOfEchoingThem() throws Exception {
        List<List<Double>> rows = rows(5);
        Http.Response created = http.postJson("/v1/models/" + modelId + "/circuits",
                Map.of("quantization", Map.of("sampleInputs", rows, "inputScale", 8)));
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        String canonical = "[[1.0,0.5,100.0,2.0,50.0],[2.0,0.5,100.0,2.0,50.0],[3.0,0.5,100.0,2.0,50.0],"
                + "[4.0,0.5,100.0,2.0,50.0],[5.0,0.5,100.0,2.0,50.0]]";
        assertThat(SettingsSummary.canonical(rows)).isEqualTo(canonical);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(canonical.getBytes(StandardCharsets.UTF_8)));
        for (Http.Response r : List.of(created, http.get("/v1/circuits/" + created.text("id")),
                http.get("/v1/circuits?modelId=" + modelId))) {
            assertThat(r.status()).as(r.toString()).isIn(200, 202);
            var body = r.json().has("items") ? r.json().get("items").get(0) : r.json();
            var settings = body.get("settings");
            assertThat(settings.has("sampleInputs")).as(settings.toString()).isFalse();
            assertThat(settings.get("sampleInputCount").asInt()).isEqualTo(5);
            assertThat(settings.get("sampleInputsSha256").asString()).isEqualTo(sha);
            assertThat(settings.get("inputScale").asInt()).isEqualTo(8);
            assertThat(r.body()).doesNotContain("100.0,2.0,50.0");
        }
        // the rows are still stored whole for the compile job
        String stored = jdbc.sql("SELECT settings::text FROM circuits WHERE id = ?::uuid")
                .param(created.text("id")).query(String.class).single();
        assertThat(stored).contains("sampleInputs");
    }
}
