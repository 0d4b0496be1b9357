package io.zkml.api.inferences;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

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
import io.zkml.api.testing.TestPostgres;

/**
 * {@code callbackUrl} (issue 9): a receiver on this machine answers the first delivery 500 and the
 * second 200; the service retries with backoff, signs each POST with HMAC-SHA256 (recomputed here),
 * keeps the delivery id across retries, and shows the delivery status on GET; the request's metadata
 * map is stored, shown and delivered. A bad URL or bad metadata is a 400 and stores nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InferenceCallbackTest {

    private static final String SECRET = "test-callback-secret";
    private static final Path DEMO = Path.of("..", "examples", "credit-risk").toAbsolutePath().normalize();
    private static final List<Double> INPUT = List.of(12.5, 0.35, 85.0, 1.0, 25.0);
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
        registry.add("zkml.callbacks.signing-secret", () -> SECRET);
        registry.add("zkml.callbacks.allow-private-networks", () -> "true");
        registry.add("zkml.worker.retry-backoff", () -> "200ms");
    }

    record Delivery(Map<String, String> headers, String body) {
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    HttpServer receiver;
    final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    final AtomicInteger answered = new AtomicInteger();
    Http http;
    String circuitId;

    @BeforeAll
    void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            deliveries.add(new Delivery(Map.of(
                    "signature", String.valueOf(ex.getRequestHeaders().getFirst(InferenceCallbacks.SIGNATURE_HEADER)),
                    "delivery", String.valueOf(ex.getRequestHeaders().getFirst("X-Zkml-Delivery")),
                    "event", String.valueOf(ex.getRequestHeaders().getFirst("X-Zkml-Event"))), body));
            ex.sendResponseHeaders(answered.getAndIncrement() == 0 ? 500 : 200, -1);
            ex.close();
        });
        receiver.start();
        http = new Http(port);
        Http.Response upload = http.postMultipart("/v1/models", Http.parts("file",
                Files.readAllBytes(DEMO.resolve("model.tribuo")), "format", "tribuo", "name", "credit-risk"));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        Http.Response created = http.postJson("/v1/models/" + upload.text("id") + "/circuits",
                Map.of("quantization", Http.json().readTree(DEMO.resolve("quantization.json").toFile())));
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        circuitId = created.text("id");
        JsonNode c = http.awaitStatus("/v1/circuits/" + circuitId, Set.of("ready", "failed"), DEADLINE);
        assertThat(c.get("status").asString()).as(c.toString()).isEqualTo("ready");
    }

    @AfterAll
    void stop() {
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    void theEndedInferenceIsPostedSignedAndRetriedUntilDelivered() throws Exception {
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        Http.Response r = http.postJson("/v1/circuits/" + circuitId + "/inferences", Map.of("input", INPUT, "callbackUrl", hook,
                "metadata", Map.of("order", "42", "customer.id", "c-1")));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().get("metadata").get("order").asString()).isEqualTo("42");
        assertThat(r.json().get("callback").get("url").asString()).isEqualTo(hook);
        assertThat(r.json().get("callback").get("status").asString()).isEqualTo("pending");
        String id = r.text("id");
        JsonNode inf = http.awaitStatus("/v1/inferences/" + id, Set.of("succeeded", "failed"), DEADLINE);
        assertThat(inf.get("status").asString()).isEqualTo("succeeded");

        long end = System.nanoTime() + DEADLINE.toNanos();
        JsonNode callback = null;
        while (System.nanoTime() < end) {
            callback = http.get("/v1/inferences/" + id).json().get("callback");
            if (callback.get("status").asString().equals("delivered")) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(callback.get("status").asString()).as(callback.toString()).isEqualTo("delivered");
        assertThat(callback.get("attempts").asInt()).isEqualTo(2);
        assertThat(callback.get("lastError").asString()).contains("HTTP 500");
        assertThat(callback.has("deliveredAt")).isTrue();

        assertThat(deliveries).hasSize(2);
        assertThat(deliveries.get(0).headers().get("delivery")).isEqualTo(deliveries.get(1).headers().get("delivery"));
        for (Delivery d : deliveries) {
            assertThat(d.headers().get("event")).isEqualTo("inference.succeeded");
            String sig = d.headers().get("signature");
            long t = Long.parseLong(sig.substring(2, sig.indexOf(',')));
            assertThat(sig).isEqualTo(InferenceCallbacks.signature(SECRET, Instant.ofEpochSecond(t),
                    d.body().getBytes(StandardCharsets.UTF_8)));
            // a changed body does not match the signature
            assertThat(sig).isNotEqualTo(InferenceCallbacks.signature(SECRET, Instant.ofEpochSecond(t),
                    d.body().replace("succeeded", "failed").getBytes(StandardCharsets.UTF_8)));
            JsonNode payload = Http.json().readTree(d.body());
            assertThat(payload.get("event").asString()).isEqualTo("inference.succeeded");
            assertThat(payload.get("inference").get("id").asString()).isEqualTo(id);
            assertThat(payload.get("inference").get("proof").asString()).isEqualTo(inf.get("proof").asString());
            assertThat(payload.get("inference").get("metadata").get("customer.id").asString()).isEqualTo("c-1");
            assertThat(payload.get("inference").has("callback")).isFalse();
        }
    }

    @Test
    void aCallbackUrlThatIsNotHttpOrBadMetadataIsA400AndStoresNothing() {
        long before = jdbc.sql("SELECT count(*) FROM inferences").query(Long.class).single();
        for (Object bad : List.of("ftp://example.com/x", "/relative", "http://user:pw@example.com/", 42)) {
            Http.Response r = http.postJson("/v1/circuits/" + circuitId + "/inferences", Map.of("input", INPUT, "callbackUrl", bad));
            assertThat(r.status()).as(bad + ": " + r).isEqualTo(400);
            assertThat(r.json().get("type").asString()).isEqualTo("urn:zkml:problem:invalid-request");
            assertThat(r.json().get("field").asString()).isEqualTo("callbackUrl");
        }
        java.util.Map<String, Object> tooMany = new java.util.HashMap<>();
        for (int i = 0; i < 33; i++) {
            tooMany.put("k" + i, "v");
        }
        for (Object bad : List.of("not an object", Map.of("n", 1), Map.of("bad key", "v"), Map.of("k", "x".repeat(513)),
                Map.of("k", "line\nbreak"), tooMany)) {
            Http.Response r = http.postJson("/v1/circuits/" + circuitId + "/inferences", Map.of("input", INPUT, "metadata", bad));
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(r.json().get("field").asString()).isEqualTo("metadata");
        }
        assertThat(jdbc.sql("SELECT count(*) FROM inferences").query(Long.class).single()).isEqualTo(before);
    }
}
