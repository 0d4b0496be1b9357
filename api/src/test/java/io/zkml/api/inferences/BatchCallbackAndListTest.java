package io.zkml.api.inferences;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
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
 * Batches like inferences (issue 9): {@code callbackUrl} (one signed delivery of
 * {@code batch.succeeded} with the batch as GET shows it, and no second one), {@code metadata},
 * {@code Idempotency-Key} (a retry gets the same batch and stores no second one; other rows under
 * the same key are a 422), and {@code GET /v1/batches?circuitId=&status=} with cursor pagination
 * (every batch once, newest first; another owner's batches neither listed nor readable).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchCallbackAndListTest {

    private static final String SECRET = "batch-callback-secret";
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final List<List<Double>> ROWS = List.of(List.of(12.5, 0.35, 85.0, 1.0, 25.0), List.of(3.0, 0.1, 40.0, 0.0, 5.0));

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
        registry.add("zkml.callbacks.signing-secret", () -> SECRET);
        registry.add("zkml.callbacks.allow-private-networks", () -> "true");
    }

    record Delivery(String signature, String event, String body) {
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    HttpServer receiver;
    final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    Http http;
    String circuit;

    @BeforeAll
    void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            deliveries.add(new Delivery(ex.getRequestHeaders().getFirst(InferenceCallbacks.SIGNATURE_HEADER),
                    ex.getRequestHeaders().getFirst("X-Zkml-Event"),
                    new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        http = new Http(port);
        TestModels.Example credit = TestModels.creditRisk();
        Http.Response upload = http.postMultipart("/v1/models", Http.parts("file", credit.model(), "name", credit.name()));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        Http.Response created = http.postJson("/v1/models/" + upload.text("id") + "/circuits",
                Map.of("quantization", credit.quantization(), "batchSize", 2));
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        circuit = created.text("id");
        JsonNode c = http.awaitStatus("/v1/circuits/" + circuit, Set.of("ready", "failed"), DEADLINE);
        assertThat(c.get("status").asString()).as(c.toString()).isEqualTo("ready");
    }

    @AfterAll
    void stop() {
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    long batches() {
        return jdbc.sql("SELECT count(*) FROM inferences WHERE batch_rows IS NOT NULL").query(Long.class).single();
    }

    @Test
    void aBatchsCallbackIsDeliveredOnceSignedWithItsMetadataAndItsKeyIsIdempotent() throws Exception {
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        Map<String, Object> body = Map.of("inputs", ROWS, "callbackUrl", hook, "metadata", Map.of("order", "b-7"));
        long before = batches();
        Http.Response r = http.postJson("/v1/circuits/" + circuit + "/batches", body, "batch-key-1");
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().get("metadata").get("order").asString()).isEqualTo("b-7");
        assertThat(r.json().get("callback").get("url").asString()).isEqualTo(hook);
        assertThat(r.json().get("phase").asString()).isEqualTo("queued");
        String id = r.text("id");
        // the same key and body: the same batch, nothing new stored; other rows under the key: 422
        assertThat(http.postJson("/v1/circuits/" + circuit + "/batches", body, "batch-key-1").text("id")).isEqualTo(id);
        Http.Response reused = http.postJson("/v1/circuits/" + circuit + "/batches",
                Map.of("inputs", ROWS.subList(0, 1), "callbackUrl", hook, "metadata", Map.of("order", "b-7")), "batch-key-1");
        assertThat(reused.status()).as(reused.toString()).isEqualTo(422);
        assertThat(reused.json().get("type").asString()).isEqualTo("urn:zkml:problem:idempotency-key-reused");
        assertThat(batches()).isEqualTo(before + 1);

        JsonNode batch = http.awaitStatus("/v1/batches/" + id, Set.of("succeeded", "failed"), DEADLINE);
        assertThat(batch.get("status").asString()).as(batch.toString()).isEqualTo("succeeded");
        long end = System.nanoTime() + DEADLINE.toNanos();
        JsonNode callback = null;
        while (System.nanoTime() < end) {
            callback = http.get("/v1/batches/" + id).json().get("callback");
            if (!callback.get("status").asString().equals("pending")) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(callback.get("status").asString()).as(callback.toString()).isEqualTo("delivered");
        assertThat(callback.get("attempts").asInt()).isEqualTo(1);
        Thread.sleep(1000); // no second delivery comes
        assertThat(deliveries).hasSize(1);
        Delivery d = deliveries.get(0);
        assertThat(d.event()).isEqualTo("batch.succeeded");
        long t = Long.parseLong(d.signature().substring(2, d.signature().indexOf(',')));
        assertThat(d.signature()).isEqualTo(InferenceCallbacks.signature(SECRET, Instant.ofEpochSecond(t),
                d.body().getBytes(StandardCharsets.UTF_8)));
        assertThat(d.signature()).isNotEqualTo(InferenceCallbacks.signature("another secret", Instant.ofEpochSecond(t),
                d.body().getBytes(StandardCharsets.UTF_8)));
        JsonNode payload = Http.json().readTree(d.body());
        assertThat(payload.get("event").asString()).isEqualTo("batch.succeeded");
        assertThat(payload.has("inference")).isFalse();
        assertThat(payload.get("batch").get("id").asString()).isEqualTo(id);
        assertThat(payload.get("batch").get("rows").asInt()).isEqualTo(2);
        assertThat(payload.get("batch").get("outputs")).hasSize(2);
        assertThat(payload.get("batch").get("proof").asString()).isEqualTo(batch.get("proof").asString());
        assertThat(payload.get("batch").get("metadata").get("order").asString()).isEqualTo("b-7");
    }

    @Test
    void batchesAreListedAPageAtATimeByCircuitAndStatusAndOnlyTheOwnersAreShown() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Http.Response r = http.postJson("/v1/circuits/" + circuit + "/batches", Map.of("inputs", ROWS.subList(0, 1 + i % 2)));
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            ids.add(r.text("id"));
        }
        for (String id : ids) {
            http.awaitStatus("/v1/batches/" + id, Set.of("succeeded", "failed"), DEADLINE);
        }
        // another owner's batch of the same circuit
        UUID foreign = UUID.fromString(ids.get(0));
        jdbc.sql("UPDATE inferences SET owner = 'mallory' WHERE id = ?").param(foreign).update();
        assertThat(http.get("/v1/batches/" + foreign).status()).isEqualTo(404);

        List<String> listed = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Http.Response page = http.get("/v1/batches?circuitId=" + circuit + "&status=succeeded&limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            JsonNode items = page.json().get("items");
            assertThat(items.size()).isLessThanOrEqualTo(2);
            items.forEach(b -> {
                assertThat(b.get("circuitId").asString()).isEqualTo(circuit);
                assertThat(b.get("status").asString()).isEqualTo("succeeded");
                assertThat(b.has("rows")).isTrue();
                listed.add(b.get("id").asString());
            });
            cursor = page.json().has("nextCursor") ? page.json().get("nextCursor").asString() : null;
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(listed).doesNotHaveDuplicates().contains(ids.get(2), ids.get(1)).doesNotContain(foreign.toString());
        assertThat(pages).isGreaterThanOrEqualTo(2);
        // newest first
        assertThat(listed.indexOf(ids.get(2))).isLessThan(listed.indexOf(ids.get(1)));
        assertThat(http.get("/v1/batches?status=queued&circuitId=" + circuit).json().get("items")).isEmpty();
        assertThat(http.get("/v1/batches?circuitId=" + UUID.randomUUID()).json().get("items")).isEmpty();
        // batches stay out of the inference list
        assertThat(http.get("/v1/inferences?circuitId=" + circuit).json().get("items")).isEmpty();
        assertThat(http.get("/v1/batches?status=done").status()).isEqualTo(400);
        assertThat(http.get("/v1/batches?circuitId=nope").status()).isEqualTo(400);
        assertThat(http.get("/v1/batches?cursor=bogus").status()).isEqualTo(400);
    }
}
