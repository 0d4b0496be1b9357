package io.zkml.api.ceremony;

import io.zkml.api.testing.TestModels;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
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

import io.zkml.api.testing.Http;
import io.zkml.api.testing.TestPostgres;
import io.zkml.contracts.SnarkjsCli;
import io.zkml.prover.Groth16Ceremony;

/**
 * A Groth16 ceremony through the REST API (issue 7): credit-risk compiled with {@code "setup":
 * {"trust": "ceremony"}} on a powers-of-tau file the pinned snarkjs makes (power 9) and a minimum
 * of two contributions; the circuit waits in {@code awaiting_contributions} after the service's
 * own contribution; two contributors download the latest state, contribute offline (the code of
 * {@code zkml ceremony contribute}) and upload; a stale contribution, a changed byte and a finalize
 * before the minimum are refused and change nothing; finalize with a beacon makes the keys (trust
 * {@code ceremony}); a proof verifies, a changed output does not; the closed ceremony takes no more.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CeremonyFlowTest {

    private static final Duration DEADLINE = Duration.ofSeconds(180);
    private static final BigInteger R = new BigInteger(
            "21888242871839275222246405745257275088548364400416034343698204186575808495617");
    private static Path work;
    private static Path ptau;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        TestPostgres.register(registry);
        work = Files.createTempDirectory("zkml-ceremony");
        ptau = SnarkjsCli.locate().powersOfTau(work, 9, "entropy of CeremonyFlowTest");
        registry.add("zkml.setup.ptau-path", ptau::toString);
        registry.add("zkml.setup.ceremony-min-contributions", () -> "2");
    }

    @LocalServerPort
    int port;

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void threePartiesMakeTheKeysAndBadContributionsChangeNothing() throws Exception {
        Http http = new Http(port);
        Path demo = TestModels.repositoryRoot().resolve("examples/credit-risk");
        Http.Response upload = http.postMultipart("/v1/models", Http.parts("file", Files.readAllBytes(demo.resolve("model.tribuo")),
                "format", "tribuo", "name", "credit-risk"));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("quantization", Http.json().readTree(demo.resolve("quantization.json").toFile()));
        body.put("setup", Map.of("trust", "ceremony"));
        Http.Response created = http.postJson("/v1/models/" + upload.text("id") + "/circuits", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        String id = created.text("id");
        String base = "/v1/circuits/" + id + "/ceremony";
        JsonNode c = http.awaitStatus("/v1/circuits/" + id, Set.of("awaiting_contributions", "ready", "failed"), DEADLINE);
        assertThat(c.get("status").asString()).as(c.toString()).isEqualTo("awaiting_contributions");
        assertThat(c.get("setup").get("trust").asString()).isEqualTo("ceremony");
        assertThat(c.get("links").get("ceremony").asString()).isEqualTo(base);

        JsonNode cer = http.get(base).json();
        assertThat(cer.get("status").asString()).isEqualTo("awaiting_contributions");
        assertThat(cer.get("states")).hasSize(2); // initial + the service's
        assertThat(cer.get("contributions").asInt()).isZero();
        assertThat(cer.get("minContributions").asInt()).isEqualTo(2);
        assertThat(cer.get("srsSha256").asString()).isEqualTo(sha256(Files.readAllBytes(ptau)));
        byte[] s1 = state(base);
        assertThat(sha256(s1)).isEqualTo(cer.get("latestStateSha256").asString());

        expect(http.postJson(base + "/finalize", Map.of("beacon", "ab".repeat(32))), 409, "ceremony-incomplete");

        // contributor A
        byte[] a = contribute(s1, "a");
        HttpResponse<String> ra = post(base + "/contributions", a);
        assertThat(ra.statusCode()).as(ra.body()).isEqualTo(201);
        // contributor B on the stale state: refused, nothing stored
        byte[] stale = contribute(s1, "stale");
        HttpResponse<String> rs = post(base + "/contributions", stale);
        assertThat(rs.statusCode()).as(rs.body()).isEqualTo(422);
        assertThat(rs.body()).contains("urn:zkml:problem:invalid-contribution").contains("challenge does not match");
        // a changed byte
        byte[] b = contribute(state(base), "b");
        byte[] changed = b.clone();
        changed[changed.length - 40] ^= 1;
        HttpResponse<String> rc = post(base + "/contributions", changed);
        assertThat(rc.statusCode()).as(rc.body()).isEqualTo(422);
        assertThat(http.get(base).json().get("contributions").asInt()).as("nothing stored").isEqualTo(1);
        // contributor B on the latest state
        HttpResponse<String> rb = post(base + "/contributions", b);
        assertThat(rb.statusCode()).as(rb.body()).isEqualTo(201);

        expect(http.postJson(base + "/finalize", Map.of("beacon", "not hex")), 400, "invalid-request");
        Http.Response fin = http.postJson(base + "/finalize", Map.of("beacon", "0x" + "5d".repeat(32)));
        assertThat(fin.status()).as(fin.toString()).isEqualTo(200);
        assertThat(fin.text("status")).isEqualTo("finalized");
        JsonNode ready = http.get("/v1/circuits/" + id).json();
        assertThat(ready.get("status").asString()).isEqualTo("ready");
        assertThat(ready.get("setup").get("trust").asString()).isEqualTo("ceremony");
        assertThat(fin.json().get("verifyingKeyHash").asString()).isEqualTo(ready.get("verifyingKeyHash").asString());
        JsonNode transcript = http.get(base + "/transcript").json();
        assertThat(transcript.get("states")).hasSize(4);
        assertThat(transcript.get("beacon").asString()).isEqualTo("5d".repeat(32));
        assertThat(post(base + "/contributions", b).statusCode()).as("closed").isEqualTo(409);

        // the keys prove; a changed output does not verify
        Http.Response r = http.postJson("/v1/circuits/" + id + "/inferences", Map.of("input", List.of(12.5, 0.35, 85.0, 1.0, 25.0)));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        JsonNode inf = http.awaitStatus("/v1/inferences/" + r.text("id"), Set.of("succeeded", "failed"), DEADLINE);
        assertThat(inf.get("status").asString()).as(inf.toString()).isEqualTo("succeeded");
        List<String> pub = new ArrayList<>();
        inf.get("publicInputs").forEach(n -> pub.add(n.asString()));
        assertThat(verify(http, id, inf.get("proof").asString(), pub)).isTrue();
        pub.set(pub.size() - 1, new BigInteger(pub.getLast()).add(BigInteger.ONE).mod(R).toString());
        assertThat(verify(http, id, inf.get("proof").asString(), pub)).isFalse();
    }

    private byte[] state(String base) throws Exception {
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + base + "/state")).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static byte[] contribute(byte[] state, String name) throws Exception {
        Path in = work.resolve(name + ".in");
        Path out = work.resolve(name + ".out");
        Files.write(in, state);
        Groth16Ceremony.contribute(in, out);
        return Files.readAllBytes(out);
    }

    private HttpResponse<String> post(String path, byte[] bytes) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void expect(Http.Response r, int status, String type) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.text("type")).isEqualTo("urn:zkml:problem:" + type);
    }

    private static boolean verify(Http http, String circuit, String proof, List<String> pub) {
        Http.Response r = http.postJson("/v1/verifications", Map.of("circuitId", circuit, "proof", proof, "publicInputs", pub));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("valid").asBoolean();
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

}
