package io.zkml.api.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

import io.zkml.api.testing.Http;
import io.zkml.api.testing.TestPostgres;

/**
 * A bounded property-based run of the OpenAPI document (issue 9): schemathesis (PyPI, pinned in
 * {@code scripts/install-schemathesis.sh}, installed into a virtual environment of its own) against
 * the packaged jar started here as a real process (development mode, {@code zkml.role=all}, its
 * embedded PostgreSQL under {@code target/fuzz-it/}), with a model, a ready circuit and a proven
 * inference in it so that the list endpoints answer real objects. Checks: no 5xx, every status code
 * documented for its operation, content types as documented, bodies that match the response
 * schemas. Bounded: {@value #FUZZ_SECONDS} s of fuzzing in two runs of half that (schemathesis'
 * {@code --max-time}): one with the seeded ids fixed, one with generated ids; a fixed seed, each killed
 * after half of {@value #KILL_SECONDS} s.
 *
 * <p>Skipped (with a message) when the jar is not built, or when schemathesis cannot be installed
 * (no python3/venv or no PyPI) outside CI; in CI ({@code CI=true}, where {@code .ci/run} installs it
 * first) a missing schemathesis fails the test. No callback signing secret and no chain are
 * configured, so that nothing the fuzzer generates (a {@code callbackUrl}, an RPC) sends traffic
 * off this machine: those requests are refused (422/503) before anything goes out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiFuzzIT {

    private static final Path JAR = Path.of("target", "zkml-api.jar").toAbsolutePath();
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path DEMO = REPO.resolve("examples").resolve("credit-risk");
    private static final Path OPENAPI = Path.of("src", "main", "resources", "openapi", "zkml-v1.yaml").toAbsolutePath();
    static final int FUZZ_SECONDS = 40;
    static final int KILL_SECONDS = 130;

    /** The Makefile's DEV_LOADER_PATH, from the api module's directory. */
    private static final String DEV_LOADER_PATH = Path.of("..", "embedded-postgres", "target", "embedded-postgres.jar")
            .toAbsolutePath().normalize() + "," + Path.of("..", "embedded-postgres", "target", "lib").toAbsolutePath().normalize();

    private Path dir;
    private Process service;
    private Path serviceLog;
    private Http http;
    private int port;
    private String schemathesis;
    private String key;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Files.isRegularFile(JAR), "the jar " + JAR + " is not built (mvn package); skipping the OpenAPI fuzz run");
        schemathesis = installSchemathesis();
        dir = Files.createDirectories(Path.of("target", "fuzz-it", UUID.randomUUID().toString()).toAbsolutePath());
        TestPostgres.traversable(dir);
        port = TestPostgres.freePort();
        serviceLog = dir.resolve("service.log");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx512m",
                "--enable-native-access=ALL-UNNAMED",
                // development mode as make run starts it: the embedded PostgreSQL is not in the service jar
                // (ADR 0026), Spring Boot's PropertiesLauncher adds the embedded-postgres module
                "-Dloader.path=" + DEV_LOADER_PATH, "-cp", JAR.toString(),
                "org.springframework.boot.loader.launch.PropertiesLauncher",
                "--zkml.mode=development", "--zkml.role=all",
                "--server.port=" + port,
                "--zkml.embedded-postgres.data-dir=" + dir.resolve("pgdata"),
                "--zkml.embedded-postgres.port=" + TestPostgres.freePort(),
                "--zkml.auth.development-key-file=" + dir.resolve("dev-api-key"),
                "--zkml.worker.cache-dir=" + dir.resolve("cache"),
                "--zkml.worker.threads=1");
        service = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(serviceLog.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        http = new Http(port);
        while (!ready()) {
            if (!service.isAlive()) {
                fail("the service exited with " + service.exitValue() + "; its log ends:\n" + tail(serviceLog, 4000));
            }
            if (System.nanoTime() > deadline) {
                fail("the service was not ready within 180 s; its log ends:\n" + tail(serviceLog, 4000));
            }
            Thread.sleep(200);
        }
        key = Files.readString(dir.resolve("dev-api-key")).trim();

        // something to list and read: a model, a ready circuit, a proven inference
        Http.Response upload = http.postMultipart("/v1/models", Http.parts("file",
                Files.readAllBytes(DEMO.resolve("model.tribuo")), "format", "tribuo", "name", "credit-risk"));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        Http.Response created = http.postJson("/v1/models/" + upload.text("id") + "/circuits",
                Map.of("quantization", Http.json().readTree(DEMO.resolve("quantization.json").toFile())));
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        String circuitId = created.text("id");
        JsonNode c = http.awaitStatus("/v1/circuits/" + circuitId, Set.of("ready", "failed"), Duration.ofSeconds(60));
        assertThat(c.get("status").asString()).as(c.toString()).isEqualTo("ready");
        Http.Response inf = http.postJson("/v1/circuits/" + circuitId + "/inferences",
                Map.of("input", List.of(12.5, 0.35, 85.0, 1.0, 25.0)));
        assertThat(inf.status()).as(inf.toString()).isEqualTo(202);
        http.awaitStatus("/v1/inferences/" + inf.text("id"), Set.of("succeeded", "failed"), Duration.ofSeconds(60));
        modelId = upload.text("id");
        this.circuitId = circuitId;
        inferenceId = inf.text("id");
    }

    private String modelId;
    private String circuitId;
    private String inferenceId;

    /**
     * schemathesis' configuration: half of the run on the seeded resources (their ids fixed, the
     * rest fuzzed, so the operations reach their real logic), the other half with generated ids.
     */
    private Path config(boolean seeded) throws IOException {
        StringBuilder t = new StringBuilder();
        if (seeded) {
            for (String[] op : new String[][] {{"^/v1/models/\\\\{id\\\\}", modelId},
                    {"^/v1/circuits/\\\\{id\\\\}", circuitId}, {"^/v1/inferences/\\\\{id\\\\}", inferenceId}}) {
                t.append("[[operations]]\ninclude-path-regex = \"").append(op[0]).append("\"\n")
                        .append("parameters = { \"path.id\" = \"").append(op[1]).append("\" }\n\n");
            }
        }
        Path f = dir.resolve(seeded ? "schemathesis-seeded.toml" : "schemathesis.toml");
        Files.writeString(f, t.toString());
        return f;
    }

    private boolean ready() {
        try {
            return http.get("/actuator/health/readiness").status() == 200;
        } catch (RuntimeException | AssertionError e) {
            return false;
        }
    }

    /** The path of schemathesis' {@code st}, installed if missing; skips (outside CI) when it cannot be. */
    private static String installSchemathesis() throws Exception {
        Path script = REPO.resolve("scripts").resolve("install-schemathesis.sh");
        Path out = Files.createTempFile("zkml-st", ".txt");
        Path err = Files.createTempFile("zkml-st", ".err");
        try {
            Process p = new ProcessBuilder("bash", script.toString()).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .start();
            boolean done = p.waitFor(300, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
            }
            String st = Files.readString(out).strip();
            if (done && p.exitValue() == 0 && !st.isEmpty() && Files.isExecutable(Path.of(st))) {
                return st;
            }
            String why = "schemathesis could not be installed (" + script + "): " + Files.readString(err).strip();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + " — in CI it must run (.ci/run installs it first)");
            }
            assumeTrue(false, why + "; skipping the OpenAPI fuzz run");
            return null;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (service != null) {
            service.destroy();
            if (!service.waitFor(20, TimeUnit.SECONDS)) {
                service.destroyForcibly();
                service.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Defects the fuzzer found, kept as plain checks (they fail without the fixes). */
    @Test
    @Order(1)
    void defectsFoundByTheFuzzerStayFixed() throws Exception {
        // a query parameter without a name: Tomcat's InvalidParameterException was a 500
        Http.Response r = http.get("/v1/models?=&limit=5");
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("type").asString()).isEqualTo("urn:zkml:problem:invalid-request");
        // a JSON endpoint without a Content-Type: 415 problem+json (now documented)
        Http.Response v = http.request("POST", "/v1/verifications", Map.of(), null);
        assertThat(v.status()).as(v.toString()).isEqualTo(415);
        assertThat(v.contentType()).startsWith("application/problem+json");
    }

    @Test
    @Order(2)
    @Timeout(value = KILL_SECONDS + 20, unit = TimeUnit.SECONDS)
    void theSeededResourcesAnswerAsTheOpenApiDocumentSays() throws Exception {
        fuzz("seeded", true);
    }

    @Test
    @Order(3)
    @Timeout(value = KILL_SECONDS + 20, unit = TimeUnit.SECONDS)
    void everyOperationAnswersAsTheOpenApiDocumentSays() throws Exception {
        fuzz("generated", false);
    }

    private void fuzz(String name, boolean seeded) throws Exception {
        Path report = dir.resolve("schemathesis-" + name);
        List<String> cmd = new ArrayList<>(List.of(schemathesis, "--config-file", config(seeded).toString(),
                "run", OPENAPI.toString(),
                "--url", "http://127.0.0.1:" + port,
                "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                "--phases", "examples,coverage,fuzzing",
                "--max-examples", "10",
                "--max-time", Integer.toString(FUZZ_SECONDS / 2),
                // one worker: with two threads, hypothesis' ast.parse of its own lambdas raced on CPython 3.11
                // ("SystemError: AST constructor recursion depth mismatch"), an error of the tool, not of the API
                "--workers", "1",
                "--seed", "1",
                "--request-timeout", "20",
                "--no-color",
                "--generation-database", "none", // no .schemathesis/ folder in the working tree
                "--header", "Authorization: Bearer " + key,
                // revoking the development key (its id is in GET /v1/api-keys) would make the rest of the run 401s
                "--exclude-operation-id", "revokeApiKey",
                "--report", "junit", "--report-dir", report.toString()));
        Path log = dir.resolve("schemathesis-" + name + ".log");
        // run in target/fuzz-it/<run>: schemathesis keeps a .schemathesis/ cache in its working directory
        Process st = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!st.waitFor(KILL_SECONDS / 2, TimeUnit.SECONDS)) {
            st.destroyForcibly();
            fail("schemathesis did not end within " + KILL_SECONDS / 2 + " s; its output ends:\n" + tail(log, 6000));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        int failures = output.indexOf("FAILURES");
        String shown = failures >= 0 ? output.substring(Math.max(0, failures - 40), Math.min(output.length(), failures + 12000))
                : tail(log, 6000);
        assertThat(st.exitValue()).as("schemathesis found responses that break the OpenAPI document:%n%s%n"
                + "(the whole run: %s; the service's log: %s)%n"
                + "Every operation documents what any request may get: 401 and 403 (a bad or weak key; the run sends"
                + " broken Authorization headers), 400 where it has a path parameter (the web server refuses some"
                + " encoded characters), 415 where it takes a body, 429 where it starts jobs", shown, log, serviceLog).isZero();
        assertThat(Files.readString(serviceLog)).as("the service logged an internal error during the run")
                .doesNotContain("internal error");
    }

    private static String tail(Path f, int chars) {
        try {
            String s = Files.readString(f);
            return s.substring(Math.max(0, s.length() - chars));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
