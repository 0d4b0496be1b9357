package io.zkml.api.ceremony;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zkml.api.security.ApiKeys;
import io.zkml.api.testing.Http;
import io.zkml.api.testing.TestModels;
import io.zkml.api.testing.TestPostgres;
import io.zkml.contracts.SnarkjsCli;
import io.zkml.prover.Groth16Ceremony;

/**
 * Issue 7: with API keys required, a Groth16 ceremony is open to contributors who do not own the
 * circuit ({@code zkml.auth.open-ceremonies}, on by default): Bob, another owner, reads Alice's
 * ceremony and its state, contributes with his own randomness, and reads the transcript, but cannot
 * read the circuit itself or finalize; a key without the {@code prove} scope cannot upload; without a
 * key nothing is open. Alice finalizes and the transcript names the contribution.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CeremonyOpenToContributorsTest {

    private static final String ADMIN_KEY = ApiKeys.generate();
    private static final Duration DEADLINE = Duration.ofSeconds(180);
    private static Path work;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        TestPostgres.register(registry);
        registry.add("zkml.auth.required", () -> "true");
        registry.add("zkml.auth.bootstrap-admin-key-sha256", () -> ApiKeys.sha256(ADMIN_KEY));
        work = Files.createTempDirectory("zkml-ceremony-open");
        Path ptau = SnarkjsCli.locate().powersOfTau(work, 9, "entropy of CeremonyOpenToContributorsTest");
        registry.add("zkml.setup.ptau-path", ptau::toString);
        registry.add("zkml.setup.ceremony-min-contributions", () -> "1");
    }

    @LocalServerPort
    int port;

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void anotherOwnerContributesButOnlyTheOwnerFinalizes() throws Exception {
        Http admin = new Http(port).withKey(ADMIN_KEY);
        String aliceKey = key(admin, "alice", List.of("read", "prove"));
        String bobKey = key(admin, "bob", List.of("read", "prove"));
        String carolKey = key(admin, "carol", List.of("read"));
        Http alice = admin.withKey(aliceKey);
        Http bob = admin.withKey(bobKey);
        Http carol = admin.withKey(carolKey);

        TestModels.Example credit = TestModels.creditRisk();
        Http.Response upload = alice.postMultipart("/v1/models", Http.parts("file", credit.model(), "name", credit.name()));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("quantization", credit.quantization());
        body.put("setup", Map.of("trust", "ceremony"));
        Http.Response created = alice.postJson("/v1/models/" + upload.text("id") + "/circuits", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        String id = created.text("id");
        String base = "/v1/circuits/" + id + "/ceremony";
        JsonNode c = alice.awaitStatus("/v1/circuits/" + id, Set.of("awaiting_contributions", "ready", "failed"), DEADLINE);
        assertThat(c.get("status").asString()).as(c.toString()).isEqualTo("awaiting_contributions");

        // Bob does not own the circuit: he cannot see it, but he can see and join its ceremony
        assertThat(bob.get("/v1/circuits/" + id).status()).isEqualTo(404);
        Http.Response view = bob.get(base);
        assertThat(view.status()).as(view.toString()).isEqualTo(200);
        assertThat(view.json().get("status").asString()).isEqualTo("awaiting_contributions");
        HttpResponse<byte[]> state = send("GET", base + "/state", bobKey, null);
        assertThat(state.statusCode()).isEqualTo(200);
        byte[] contribution = contribute(state.body());

        // no key: 401; a key without 'prove': 403; neither stores anything
        assertThat(sendText(base + "/contributions", null, contribution).statusCode()).isEqualTo(401);
        HttpResponse<String> readOnly = sendText(base + "/contributions", carolKey, contribution);
        assertThat(readOnly.statusCode()).as(readOnly.body()).isEqualTo(403);
        assertThat(readOnly.body()).contains("urn:zkml:problem:forbidden");
        assertThat(alice.get(base).json().get("contributions").asInt()).isZero();

        HttpResponse<String> accepted = sendText(base + "/contributions", bobKey, contribution);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);
        assertThat(alice.get(base).json().get("contributions").asInt()).isEqualTo(1);

        // finalize is the owner's: another owner gets 404 as for any resource of someone else
        Http.Response bobFinalize = bob.postJson(base + "/finalize", Map.of("beacon", "ab".repeat(32)));
        assertThat(bobFinalize.status()).as(bobFinalize.toString()).isEqualTo(404);
        Http.Response fin = alice.postJson(base + "/finalize", Map.of("beacon", "ab".repeat(32)));
        assertThat(fin.status()).as(fin.toString()).isEqualTo(200);
        assertThat(fin.text("status")).isEqualTo("finalized");

        Http.Response transcript = bob.get(base + "/transcript");
        assertThat(transcript.status()).as(transcript.toString()).isEqualTo(200);
        assertThat(transcript.json().get("states")).hasSize(3); // initial, the service's, Bob's
        assertThat(new Http(port).get(base + "/transcript").status()).as("no key").isEqualTo(401);
    }

    private static String key(Http admin, String owner, List<String> scopes) {
        Http.Response r = admin.postJson("/v1/api-keys", Map.of("owner", owner, "scopes", scopes));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.text("key");
    }

    private static byte[] contribute(byte[] state) throws Exception {
        Path in = Files.createTempFile(work, "state", ".bin");
        Path out = work.resolve(in.getFileName() + ".out");
        Files.write(in, state);
        Groth16Ceremony.contribute(in, out);
        return Files.readAllBytes(out);
    }

    private HttpResponse<byte[]> send(String method, String path, String key, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<String> sendText(String path, String key, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
