package io.zkml.api.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

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
import io.zkml.api.testing.Http.Response;
import io.zkml.api.testing.TestModels;
import io.zkml.api.testing.TestPostgres;

/**
 * API keys over real HTTP with keys required (as in production), on the embedded PostgreSQL, role
 * {@code api} (no workers: circuits stay queued, which the concurrent-jobs quota needs). The admin
 * key is the bootstrap key, given to the service as its SHA-256 only.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiKeysOverHttpTest {

    static final String ADMIN_KEY = ApiKeys.generate();

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
        registry.add("zkml.role", () -> "api");
        registry.add("zkml.auth.required", () -> "true");
        registry.add("zkml.auth.bootstrap-admin-key-sha256", () -> ApiKeys.sha256(ADMIN_KEY));
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Http anonymous;
    Http admin;
    TestModels.Example credit;

    @BeforeAll
    void clients() {
        anonymous = new Http(port);
        admin = anonymous.withKey(ADMIN_KEY);
        credit = TestModels.creditRisk();
    }

    String createKey(String owner, List<String> scopes, Map<String, Object> limits) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(Map.of("owner", owner, "scopes", scopes));
        body.putAll(limits);
        Response r = admin.postJson("/v1/api-keys", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.text("key")).startsWith("zk_");
        return r.text("key");
    }

    String upload(Http as) {
        Response r = as.postMultipart("/v1/models", Http.parts("file", credit.model(), "name", credit.name()));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.text("id");
    }

    static JsonNode problem(Response r, int status, String type) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p.get("type").asString()).isEqualTo("urn:zkml:problem:" + type);
        return p;
    }

    @Test
    void aWriteWithoutAKeyIs401AndStoresNothing() {
        int before = jdbc.sql("SELECT count(*) FROM models").query(Integer.class).single();
        Response r = anonymous.postMultipart("/v1/models", Http.parts("file", credit.model()));
        JsonNode p = problem(r, 401, "unauthorized");
        assertThat(p.get("detail").asString()).contains("Authorization: Bearer");
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(jdbc.sql("SELECT count(*) FROM models").query(Integer.class).single()).isEqualTo(before);
    }

    @Test
    void aReadWithoutAKeyIs401WhenPublicArtifactsAreClosed() {
        problem(anonymous.get("/v1/models/" + UUID.randomUUID()), 401, "unauthorized");
        problem(anonymous.get("/v1/circuits/" + UUID.randomUUID() + "/verifier.sol"), 401, "unauthorized");
    }

    @Test
    void anUnknownOrRevokedKeyIs401() {
        problem(anonymous.withKey(ApiKeys.generate()).get("/v1/models/" + UUID.randomUUID()), 401, "unauthorized");
        problem(anonymous.request("GET", "/v1/models", Map.of("Authorization", "Basic Zm9vOmJhcg=="), null),
                401, "unauthorized");
        String key = createKey("revoked-owner", List.of("read"), Map.of());
        Http client = anonymous.withKey(key);
        assertThat(client.get("/v1/models").status()).isEqualTo(200);
        String id = admin.get("/v1/api-keys").json().get("items").get(0).get("id").asString();
        assertThat(admin.delete("/v1/api-keys/" + id).status()).isEqualTo(204);
        problem(client.get("/v1/models"), 401, "unauthorized");
    }

    @Test
    void theWrongScopeIs403NamingTheScope() {
        Http reader = anonymous.withKey(createKey("reader", List.of("read"), Map.of()));
        JsonNode p = problem(reader.postMultipart("/v1/models", Http.parts("file", credit.model())), 403, "forbidden");
        assertThat(p.get("requiredScope").asString()).isEqualTo("prove");
        Http prover = anonymous.withKey(createKey("prover-only", List.of("prove"), Map.of()));
        problem(prover.get("/v1/models"), 403, "forbidden");
        problem(prover.postJson("/v1/api-keys", Map.of("owner", "x")), 403, "forbidden");
    }

    @Test
    void keysAreStoredAsHashesOnly() {
        String key = createKey("hashed", List.of("read"), Map.of());
        List<String> stored = jdbc.sql("SELECT key_sha256 FROM api_keys WHERE owner = 'hashed'").query(String.class).list();
        assertThat(stored).containsExactly(ApiKeys.sha256(key));
        String listed = admin.get("/v1/api-keys").body();
        assertThat(listed).doesNotContain(key).contains(key.substring(0, ApiKeys.SHOWN));
    }

    @Test
    void oneOwnerCannotSeeOrUseAnotherOwnersResources() {
        Http alice = anonymous.withKey(createKey("alice", List.of("read", "prove"), Map.of()));
        Http bob = anonymous.withKey(createKey("bob", List.of("read", "prove"), Map.of()));
        String model = upload(alice);
        assertThat(alice.get("/v1/models/" + model).status()).isEqualTo(200);
        JsonNode p = problem(bob.get("/v1/models/" + model), 404, "not-found");
        assertThat(p.get("detail").asString()).isEqualTo("no model with id '" + model + "'");
        problem(bob.postJson("/v1/models/" + model + "/circuits", "{}"), 404, "not-found");
        assertThat(jdbc.sql("SELECT owner FROM models WHERE id = ?::uuid").param(model).query(String.class).single())
                .isEqualTo("alice");

        Response circuit = alice.postJson("/v1/models/" + model + "/circuits", Map.of("quantization", credit.quantization()));
        assertThat(circuit.status()).as(circuit.toString()).isEqualTo(202);
        String circuitId = circuit.text("id");
        problem(bob.get("/v1/circuits/" + circuitId), 404, "not-found");
        problem(bob.get("/v1/circuits/" + circuitId + "/verifier.sol"), 404, "not-found");
        problem(bob.postJson("/v1/circuits/" + circuitId + "/inferences", Map.of("input", credit.input())), 404, "not-found");

        // an inference of alice's (inserted directly: this service runs no workers to prove one)
        UUID inference = UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO inferences (id, circuit_id, status, input, quantized_input, owner)
                VALUES (?, ?::uuid, 'queued', '[1.5]', '["3"]', 'alice')""").params(inference, circuitId).update();
        assertThat(alice.get("/v1/inferences/" + inference).json().has("input")).isTrue();
        problem(bob.get("/v1/inferences/" + inference), 404, "not-found");

        // the same idempotency key used by two owners gives each their own resource
        Response a = alice.postMultipart("/v1/models", Http.parts("file", credit.model(), "name", "m"), "shared-key");
        Response b = bob.postMultipart("/v1/models", Http.parts("file", credit.model(), "name", "m"), "shared-key");
        assertThat(a.status()).isEqualTo(201);
        assertThat(b.status()).isEqualTo(201);
        assertThat(a.text("id")).isNotEqualTo(b.text("id"));
    }

    @Test
    void proofsPerMinuteAreLimitedWith429AndRetryAfter() {
        Http limited = anonymous.withKey(createKey("limited", List.of("read", "prove"), Map.of("proofsPerMinute", 2)));
        String path = "/v1/circuits/" + UUID.randomUUID() + "/inferences";
        assertThat(limited.postJson(path, Map.of("input", List.of(1))).status()).isEqualTo(404);
        assertThat(limited.postJson(path, Map.of("input", List.of(1))).status()).isEqualTo(404);
        Response r = limited.postJson(path, Map.of("input", List.of(1)));
        JsonNode p = problem(r, 429, "rate-limited");
        assertThat(p.get("limit").asString()).isEqualTo("proofs-per-minute");
        long retryAfter = Long.parseLong(r.header("Retry-After"));
        assertThat(retryAfter).isBetween(1L, 60L);
        assertThat(p.get("retryAfterSeconds").asLong()).isEqualTo(retryAfter);
        // another key of its own bucket is not affected
        Http other = anonymous.withKey(createKey("limited", List.of("read", "prove"), Map.of("proofsPerMinute", 2)));
        assertThat(other.postJson(path, Map.of("input", List.of(1))).status()).isEqualTo(404);
    }

    @Test
    void concurrentJobsAreLimitedPerOwnerWith429() {
        Http one = anonymous.withKey(createKey("one-job", List.of("read", "prove"), Map.of("maxConcurrentJobs", 1)));
        String model = upload(one);
        Response first = one.postJson("/v1/models/" + model + "/circuits", Map.of("quantization", credit.quantization()));
        assertThat(first.status()).as(first.toString()).isEqualTo(202);
        int circuits = jdbc.sql("SELECT count(*) FROM circuits WHERE owner = 'one-job'").query(Integer.class).single();
        Response second = one.postJson("/v1/models/" + model + "/circuits", Map.of("quantization", credit.quantization()));
        JsonNode p = problem(second, 429, "rate-limited");
        assertThat(p.get("limit").asString()).isEqualTo("concurrent-jobs");
        assertThat(second.header("Retry-After")).isEqualTo("1");
        assertThat(jdbc.sql("SELECT count(*) FROM circuits WHERE owner = 'one-job'").query(Integer.class).single())
                .isEqualTo(circuits);
    }

    @Test
    void listsShowOnlyTheCallersResourcesAPageAtATime() {
        Http carol = anonymous.withKey(createKey("carol", List.of("read", "prove"), Map.of()));
        Http dave = anonymous.withKey(createKey("dave", List.of("read", "prove"), Map.of()));
        java.util.List<String> uploaded = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            uploaded.add(upload(carol));
        }
        String daves = upload(dave);
        java.util.List<String> seen = new java.util.ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Response r = carol.get("/v1/models?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            JsonNode page = r.json();
            assertThat(page.get("items").size()).isLessThanOrEqualTo(2);
            page.get("items").forEach(m -> seen.add(m.get("id").asString()));
            cursor = page.has("nextCursor") ? page.get("nextCursor").asString() : null;
            if (pages++ == 0) {
                upload(carol); // created after the first page: newer, so it never shifts the later pages
            }
        } while (cursor != null);
        assertThat(seen).containsExactlyElementsOf(uploaded.reversed()).doesNotContain(daves);

        String model = uploaded.get(0);
        Response c1 = carol.postJson("/v1/models/" + model + "/circuits", Map.of("quantization", credit.quantization()));
        assertThat(c1.status()).as(c1.toString()).isEqualTo(202);
        JsonNode circuits = carol.get("/v1/circuits?modelId=" + model).json().get("items");
        assertThat(circuits.size()).isEqualTo(1);
        assertThat(circuits.get(0).get("id").asString()).isEqualTo(c1.text("id"));
        assertThat(carol.get("/v1/circuits?modelId=" + model + "&status=ready").json().get("items").size()).isZero();
        assertThat(dave.get("/v1/circuits?modelId=" + model).json().get("items").size()).isZero();
        assertThat(carol.get("/v1/inferences?circuitId=" + c1.text("id") + "&status=queued").json().get("items").size()).isZero();

        problem(carol.get("/v1/models?limit=101"), 400, "invalid-request");
        problem(carol.get("/v1/models?limit=0"), 400, "invalid-request");
        problem(carol.get("/v1/models?cursor=bm90LWEtY3Vyc29y"), 400, "invalid-request");
        problem(carol.get("/v1/circuits?status=done"), 400, "invalid-request");
        problem(carol.get("/v1/inferences?circuitId=nope"), 400, "invalid-request");
    }

    @Test
    void keyManagementValidatesItsInput() {
        problem(admin.postJson("/v1/api-keys", Map.of("owner", "has space")), 400, "invalid-request");
        JsonNode p = problem(admin.postJson("/v1/api-keys", Map.of("owner", "x", "scopes", List.of("root"))), 400,
                "invalid-request");
        assertThat(p.get("detail").asString()).contains("root");
        problem(admin.delete("/v1/api-keys/" + UUID.randomUUID()), 404, "not-found");
    }

    @Test
    void theOpenApiDocumentAndHealthNeedNoKey() {
        assertThat(anonymous.get("/v1/openapi.yaml").status()).isEqualTo(200);
        assertThat(anonymous.get("/actuator/health/liveness").status()).isEqualTo(200);
    }
}
