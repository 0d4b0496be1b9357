package io.zkml.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a hostile or broken --service cannot do to the CLI: exhaust memory, hang it, redirect it to files, flood the terminal. */
class ServiceClientTest {

    HttpServer server;
    String url;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        // an endless body (chunked): the client must stop at its limit, not run out of memory
        server.createContext("/v1/circuits/huge", ex -> {
            ex.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[1 << 20];
            try (OutputStream o = ex.getResponseBody()) {
                for (int i = 0; i < 200; i++) {
                    o.write(chunk);
                }
            } catch (IOException closedByClient) {
                // expected
            }
        });
        // headers at once, then the body trickles forever
        server.createContext("/v1/circuits/slow", ex -> {
            ex.sendResponseHeaders(200, 1000);
            try (OutputStream o = ex.getResponseBody()) {
                for (int i = 0; i < 1000; i++) {
                    o.write('x');
                    o.flush();
                    Thread.sleep(200);
                }
            } catch (IOException | InterruptedException closed) {
                // expected
            }
        });
        server.createContext("/v1/circuits/redirect", ex -> {
            ex.getResponseHeaders().add("Location", "file:///etc/passwd");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.createContext("/v1/circuits/noisy", ex -> {
            String detail = "\u001b]0;owned\u0007\u001b[2J" + "A".repeat(100_000) + "\r\rfake line";
            byte[] b = ("{\"type\":\"urn:zkml:problem:x\",\"detail\":\"" + detail.replace("\u001b", "\\u001b").replace("\u0007", "\\u0007")
                    .replace("\r", "\\r") + "\"}").getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/problem+json");
            ex.sendResponseHeaders(404, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        // answers only with the right API key (issue 9: --api-key / ZKML_API_KEY)
        server.createContext("/v1/circuits/keyed", ex -> {
            boolean ok = "Bearer zk_right".equals(ex.getRequestHeaders().getFirst("Authorization"));
            byte[] b = (ok ? "{\"id\":\"keyed\"}" : "{\"type\":\"urn:zkml:problem:unauthorized\",\"detail\":\"no key\"}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", ok ? "application/json" : "application/problem+json");
            ex.sendResponseHeaders(ok ? 200 : 401, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void anApiKeyIsSentAsABearerTokenAndAMissingOneIsA401() {
        assertThat(new String(new ServiceClient(url, "zk_right").get("/v1/circuits/keyed"), StandardCharsets.UTF_8))
                .contains("keyed");
        assertThatThrownBy(() -> new ServiceClient(url).get("/v1/circuits/keyed"))
                .isInstanceOf(CliException.class).hasMessageContaining("401");
        assertThatThrownBy(() -> new ServiceClient(url, "zk_wrong").get("/v1/circuits/keyed"))
                .isInstanceOf(CliException.class).hasMessageContaining("401");
        assertThatThrownBy(() -> new ServiceClient(url, "zk_x\r\nX-Injected: 1"))
                .isInstanceOf(CliException.class).hasMessageContaining("--api-key");
    }

    @Test
    void aBodyOverTheLimitIsRefused() {
        assertThat(ServiceClient.MAX_BODY).isEqualTo(16L << 20);
        assertThat(ServiceClient.MAX_IR).isEqualTo(64L << 20);
        assertThatThrownBy(() -> new ServiceClient(url).get("/v1/circuits/huge"))
                .isInstanceOf(CliException.class).hasMessageContaining("larger than 16 MiB");
    }

    @Test
    void aTricklingBodyTimesOut() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> new ServiceClient(url, Duration.ofSeconds(2)).get("/v1/circuits/slow"))
                .isInstanceOf(CliException.class).hasMessageContaining("timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void aRedirectToAFileIsNotFollowed() {
        assertThatThrownBy(() -> new ServiceClient(url).get("/v1/circuits/redirect"))
                .isInstanceOf(CliException.class).message().doesNotContain("root:");
    }

    @Test
    void aServiceErrorIsOneShortPrintableLine() {
        CliRun r = CliRun.run("reproduce", "--model", CliRun.example("credit-risk").resolve("model.tribuo"),
                "--service", url, "--circuit", "noisy");
        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).doesNotContain("\u001b", "\u0007", "\r");
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
        assertThat(r.err().length()).isLessThan(1000);
    }

    @Test
    void idsTakenFromTheServiceCannotChangeThePath() throws IOException {
        Path dir = Files.createTempDirectory("zkml-ids");
        server.createContext("/v1/inferences/i-1", ex -> {
            byte[] b = "{\"status\":\"succeeded\",\"circuitId\":\"../../v1/circuits/c?x=1#\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        CliRun r = CliRun.run("verify", "--service", url, "--inference", "i-1", "--save", dir.resolve("p.json"));
        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("not a valid id");
    }

    @Test
    void aServedKeyThatIsNoArtifactNeverReachesTheNativeLoader() throws IOException {
        byte[] key = "not a verifying key at all".getBytes(StandardCharsets.UTF_8);
        String inf = "{\"status\":\"succeeded\",\"circuitId\":\"c-3\",\"proof\":\"0x" + "00".repeat(256)
                + "\",\"publicInputs\":[\"1\"]}";
        String circuit = "{\"id\":\"c-3\",\"verifyingKeyHash\":\"" + Artifacts.sha256(key) + "\"}";
        CliEndToEndTest.serve(server, "/v1/inferences/i-3", inf);
        CliEndToEndTest.serve(server, "/v1/circuits/c-3", circuit);
        CliEndToEndTest.serve(server, "/v1/circuits/c-3/verifying-key", key, "application/octet-stream");
        Path out = Files.createTempDirectory("zkml-export").resolve("out");
        CliRun r = CliRun.run("export", "snarkjs", "--service", url, "--inference", "i-3", "--out", out);
        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("not a zkml artifact file");
        assertThat(out).doesNotExist();
    }
}
