package io.zkml.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpServer;
import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.tribuo.TribuoModelReader;
import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.Proof;
import io.zkml.prover.ProvingKey;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service under load (issue 9, "Fault and load tests" and "Bars"): starts the packaged service
 * jar as a real process (development mode, {@code zkml.role=all}, its embedded PostgreSQL in a
 * temporary folder), and measures from outside, as a client would:
 * <ol>
 *   <li>the baseline: gnark alone, the same circuit proven in this JVM through the same JNI library
 *       by {@code --worker-threads} threads in a loop, with the service stopped;</li>
 *   <li>one client, one worker thread: submit → proof latency of the demo linear model (polling
 *       the API every {@code --short-poll-ms}, and with a callback to a local HTTP server);</li>
 *   <li>one client, one worker thread, a synthetic linear model big enough to take ≥ 1 s to prove:
 *       latency against the native proving time the service itself reports (the overhead bar);</li>
 *   <li>{@code --clients} clients × {@code --proofs} proofs each on the demo model, with
 *       {@code --worker-threads} worker threads (restarted on the same database): every proof must
 *       succeed; throughput and p50/p95/p99 latency, polling every {@code --poll-ms} and with callbacks.</li>
 * </ol>
 * Writes one JSON file ({@code zkml-load/1}) with the issue's bars and the v0.1 figures beside ours.
 * Never asserts a time; exit status 1 when a proof failed or the service could not be started.
 *
 * <pre>
 * java -cp "benchmarks/target/zkml-benchmarks.jar:benchmarks/target/lib/*" io.zkml.benchmarks.LoadBenchmark [options]
 * </pre>
 */
public final class LoadBenchmark {

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final PrintStream LOG = System.err;

    // options
    private Path jar = Path.of("api", "target", "zkml-api.jar");
    private Path examples = Path.of("examples");
    private int clients = 20;
    private int proofsPerClient = 10;
    private int workerThreads = 2;
    private int pollMillis = 10;
    private int shortPollMillis = 5;
    /** Issue 9 (ADR 0027): the pollMs that means "long poll": GET /v1/inferences/{id}?wait={@value #WAIT_SECONDS}. */
    static final int LONG_POLL = 0;
    static final int WAIT_SECONDS = 30;
    private boolean longPoll = true;
    private int singleRuns = 50;
    private int bigFeatures = 2048;
    private int bigRuns = 5;
    private int baselineProofs = 200;
    private boolean callbacks = true;
    private Path out;

    private Path work;
    private Process service;
    private int port;
    private int pgPort;
    private HttpClient http;
    private HttpServer callbackServer;
    private final Map<String, Long> callbackArrivals = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> callbackWaits = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        LoadBenchmark b = new LoadBenchmark();
        try {
            b.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("zkml load bench: " + e.getMessage());
            System.exit(2);
        }
        System.exit(b.run());
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--no-long-poll")) {
                longPoll = false;
                continue;
            }
            if (a.equals("--no-callbacks")) {
                callbacks = false;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--jar" -> jar = Path.of(v);
                case "--examples" -> examples = Path.of(v);
                case "--clients" -> clients = positive(a, v);
                case "--proofs" -> proofsPerClient = positive(a, v);
                case "--worker-threads" -> workerThreads = positive(a, v);
                case "--poll-ms" -> pollMillis = positive(a, v);
                case "--short-poll-ms" -> shortPollMillis = positive(a, v);
                case "--single-runs" -> singleRuns = positive(a, v);
                case "--big-features" -> bigFeatures = Integer.parseInt(v); // 0: no big-circuit step
                case "--big-runs" -> bigRuns = positive(a, v);
                case "--baseline-proofs" -> baselineProofs = positive(a, v);
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + a
                        + " (--jar --examples --clients --proofs --worker-threads --poll-ms --short-poll-ms --single-runs"
                        + " --big-features --big-runs --baseline-proofs --out --no-callbacks --no-long-poll)");
            }
        }
        if (out == null) {
            out = Path.of("bench-results", "load-" + Instant.now().toString().replace(':', '-') + ".json");
        }
    }

    private static int positive(String option, String v) {
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number, got " + v);
        }
        if (n < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, got " + n);
        }
        return n;
    }

    private int run() throws Exception {
        if (!Files.isRegularFile(jar)) {
            System.err.println("zkml load bench: no service jar at " + jar.toAbsolutePath()
                    + " (./mvnw -B -ntp -pl api -am package -DskipTests)");
            return 1;
        }
        DemoModel demo = DemoModel.load(examples.resolve("credit-risk"));
        work = Files.createTempDirectory("zkml-load-bench");
        // the embedded PostgreSQL drops root to uid nobody, which must be able to enter the folder
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newFixedThreadPool(Math.max(4, clients))).build();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("schema", "zkml-load/1");
        result.put("startedAt", Instant.now().toString());
        result.put("machine", MachineInfo.current());
        result.put("loadAverageAtStart", loadAverage());
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("jar", jar.toString());
        settings.put("model", "examples/credit-risk");
        settings.put("clients", clients);
        settings.put("proofsPerClient", proofsPerClient);
        settings.put("workerThreads", workerThreads);
        settings.put("pollMillis", pollMillis);
        settings.put("shortPollMillis", shortPollMillis);
        settings.put("singleRuns", singleRuns);
        settings.put("bigFeatures", bigFeatures);
        settings.put("bigRuns", bigRuns);
        settings.put("baselineProofs", baselineProofs);
        settings.put("callbacks", callbacks);
        settings.put("longPoll", longPoll ? "GET /v1/inferences/{id}?wait=" + WAIT_SECONDS : "off");
        settings.put("service", "one process, zkml.mode=development, zkml.role=all (API and workers), embedded PostgreSQL;"
                + " one worker thread for the single-client steps, workerThreads for the load");
        result.put("settings", settings);
        int failures = 0;
        try {
            LOG.println("zkml load bench: baseline, gnark alone in this JVM with " + workerThreads + " threads");
            Map<String, Object> baseline = baseline(demo);
            result.put("baseline", baseline);

            if (callbacks) {
                startCallbackServer();
            }
            pgPort = freePort();
            start(1);
            String modelId = uploadModel(demo.modelBytes(), "credit-risk");
            String circuitId = createCircuit(modelId, demo);
            List<Double> input = toList(demo.input());

            LOG.println("zkml load bench: one client, one worker thread, " + singleRuns + " proofs");
            Map<String, Object> single = new LinkedHashMap<>();
            for (int i = 0; i < 10; i++) { // warm-up: JIT, caches, the loaded circuit
                prove(circuitId, input, shortPollMillis, false);
            }
            single.put("polling", series(circuitId, input, singleRuns, shortPollMillis, false));
            if (longPoll) {
                single.put("longPoll", series(circuitId, input, singleRuns, LONG_POLL, false));
            }
            if (callbacks) {
                single.put("callbacks", series(circuitId, input, singleRuns, shortPollMillis, true));
            }
            single.put("postOnlyMillis", postOnly(circuitId, input, singleRuns));
            result.put("singleClient", single);

            if (bigFeatures > 0) {
                LOG.println("zkml load bench: a synthetic linear model of " + bigFeatures + " features (setup may take minutes)");
                DemoModel big = SyntheticModels.classifier(bigFeatures, 1);
                String bigModel = uploadModel(big.modelBytes(), big.name());
                long t = System.nanoTime();
                String bigCircuit = createCircuit(bigModel, big);
                Map<String, Object> bigResult = new LinkedHashMap<>();
                bigResult.put("model", big.name());
                bigResult.put("compileAndSetupMillis", (System.nanoTime() - t) / 1_000_000);
                bigResult.put("constraints", get("/v1/circuits/" + bigCircuit).path("constraints").asLong(-1));
                List<Double> bigInput = new ArrayList<>();
                for (int i = 0; i < bigFeatures; i++) {
                    bigInput.add(Math.sin(i) * 0.9);
                }
                prove(bigCircuit, bigInput, 20, false); // warm-up: loads the key
                Map<String, Object> s = series(bigCircuit, bigInput, bigRuns, 20, false);
                bigResult.put("polling", s);
                result.put("bigCircuit", bigResult);
            }

            stop();
            start(workerThreads);
            for (int i = 0; i < 10; i++) {
                prove(circuitId, input, shortPollMillis, false);
            }
            Map<String, Object> load = new LinkedHashMap<>();
            LOG.println("zkml load bench: " + clients + " clients x " + proofsPerClient + " proofs, polling every " + pollMillis + " ms");
            load.put("polling", load(circuitId, input, pollMillis, false));
            if (longPoll) {
                LOG.println("zkml load bench: the same with long polls (?wait=" + WAIT_SECONDS + ")");
                load.put("longPoll", load(circuitId, input, LONG_POLL, false));
            }
            if (callbacks) {
                LOG.println("zkml load bench: the same with callbacks");
                load.put("callbacks", load(circuitId, input, pollMillis, true));
            }
            result.put("load", load);
            for (Object o : load.values()) {
                failures += ((Number) ((Map<?, ?>) o).get("failed")).intValue()
                        + ((Number) ((Map<?, ?>) o).get("clientErrors")).intValue();
            }
            result.put("bars", bars(result));
            result.put("published", Map.of(
                    "v0.1", Map.of("source", "issue 9, measured on v0.1 with 2 workers on the 2-core machine",
                            "throughputProofsPerSecond", 5.5, "p50LatencyMillis", 3400,
                            "provingMillisIdle", 16)));
        } catch (Exception e) {
            LOG.println("zkml load bench: failed: " + e);
            result.put("error", e.toString());
            failures++;
            if (service != null) {
                LOG.println("service log tail:\n" + tail(work.resolve("service.log"), 3000));
            }
        } finally {
            stop();
            if (callbackServer != null) {
                callbackServer.stop(0);
            }
            result.put("loadAverageAtEnd", loadAverage());
            result.put("finishedAt", Instant.now().toString());
            Files.createDirectories(out.toAbsolutePath().getParent());
            JSON.writeValue(out.toFile(), result);
            LOG.println("zkml load bench: wrote " + out);
            deleteTree(work);
        }
        return failures == 0 ? 0 : 1;
    }

    // ---- the baseline: gnark alone ----

    private Map<String, Object> baseline(DemoModel demo) throws Exception {
        CompiledCircuit circuit = CircuitCompiler.compile(TribuoModelReader.read(demo.modelBytes()), demo.name(),
                demo.modelSha256(), demo.settings());
        List<BigInteger> input = circuit.quantizeInput(demo.input());
        List<BigInteger> expected = circuit.evaluate(input);
        Groth16Prover prover = Groth16Prover.load();
        Path pk = work.resolve("baseline.pk");
        Path vk = work.resolve("baseline.vk");
        Map<String, Object> r = new LinkedHashMap<>();
        try (ConstraintSystem cs = prover.compile(circuit.irJson())) {
            prover.setup(cs, pk, vk);
            try (ProvingKey key = prover.loadProvingKey(pk, cs.circuitSha256())) {
                r.put("constraints", cs.constraints());
                for (int i = 0; i < 20; i++) {
                    prover.prove(cs, key, input);
                }
                // one thread: the proving time of one proof
                List<Long> one = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    long s = System.nanoTime();
                    Proof p = prover.prove(cs, key, input);
                    one.add(System.nanoTime() - s);
                    check(p, expected);
                }
                r.put("singleThreadProveMillis", percentiles(one));
                // workerThreads threads in a loop: throughput
                AtomicInteger left = new AtomicInteger(baselineProofs);
                List<Long> each = Collections.synchronizedList(new ArrayList<>());
                ExecutorService pool = Executors.newFixedThreadPool(workerThreads);
                long t0 = System.nanoTime();
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < workerThreads; t++) {
                    fs.add(pool.submit(() -> {
                        while (left.getAndDecrement() > 0) {
                            long s = System.nanoTime();
                            Proof p = prover.prove(cs, key, input);
                            each.add(System.nanoTime() - s);
                            check(p, expected);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                pool.shutdown();
                r.put("threads", workerThreads);
                r.put("proofs", baselineProofs);
                r.put("seconds", round(seconds));
                r.put("throughputProofsPerSecond", round(baselineProofs / seconds));
                r.put("proveMillis", percentiles(each));
            }
        }
        return r;
    }

    private static void check(Proof p, List<BigInteger> expected) {
        if (!p.outputs().equals(expected)) {
            throw new IllegalStateException("the baseline proof's output " + p.outputs() + " is not the reference's " + expected);
        }
    }

    // ---- the service ----

    private void start(int threads) throws Exception {
        port = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        // development mode as make run starts it: the embedded PostgreSQL is not in the service jar (ADR
        // 0026); Spring Boot's PropertiesLauncher adds the embedded-postgres module to the classpath
        Path embedded = Path.of("embedded-postgres", "target").toAbsolutePath();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "--enable-native-access=ALL-UNNAMED",
                "-Dloader.path=" + embedded.resolve("embedded-postgres.jar") + "," + embedded.resolve("lib"),
                "-cp", jar.toAbsolutePath().toString(), "org.springframework.boot.loader.launch.PropertiesLauncher",
                "--zkml.mode=development", "--zkml.role=all",
                "--server.port=" + port,
                "--zkml.embedded-postgres.data-dir=" + work.resolve("pgdata"),
                "--zkml.embedded-postgres.port=" + pgPort,
                "--zkml.auth.development-key-file=" + work.resolve("dev-api-key"),
                "--zkml.auth.default-proofs-per-minute=1000000",
                "--zkml.auth.default-max-concurrent-jobs=100000",
                "--zkml.worker.cache-dir=" + work.resolve("cache"),
                "--zkml.worker.threads=" + threads,
                "--logging.level.root=WARN", "--logging.level.io.zkml=INFO"));
        if (callbacks) {
            cmd.add("--zkml.callbacks.signing-secret=load-bench");
            cmd.add("--zkml.callbacks.allow-private-networks=true");
        }
        service = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("service.log").toFile())).start();
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(300);
        while (true) {
            if (!service.isAlive()) {
                throw new IllegalStateException("the service exited with " + service.exitValue());
            }
            try {
                if (send(HttpRequest.newBuilder(uri("/actuator/health/readiness")).GET()).statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the service was not ready within 300 s");
            }
            Thread.sleep(200);
        }
        LOG.printf("zkml load bench: service ready on port %d (%d worker threads) after %.1f s%n", port, threads,
                (System.nanoTime() - t0) / 1e9);
    }

    private void stop() throws InterruptedException {
        if (service != null && service.isAlive()) {
            service.destroy();
            if (!service.waitFor(60, TimeUnit.SECONDS)) {
                service.destroyForcibly();
                service.waitFor(10, TimeUnit.SECONDS);
            }
        }
        service = null;
    }

    private String uploadModel(byte[] model, String name) throws Exception {
        String boundary = "zkml-" + UUID.randomUUID();
        var body = new java.io.ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\ntribuo\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n" + name + "\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"model.tribuo\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(model);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/v1/models"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
        expect(r, 201);
        return JSON.readTree(r.body()).get("id").asString();
    }

    private String createCircuit(String modelId, DemoModel demo) throws Exception {
        HttpResponse<String> r = postJson("/v1/models/" + modelId + "/circuits", Map.of("quantization", demo.settings()));
        expect(r, 202);
        String id = JSON.readTree(r.body()).get("id").asString();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        while (System.nanoTime() < deadline) {
            JsonNode c = get("/v1/circuits/" + id);
            String status = c.path("status").asString();
            if (status.equals("ready")) {
                return id;
            }
            if (status.equals("failed")) {
                throw new IllegalStateException("circuit " + id + " failed: " + c);
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("circuit " + id + " not ready within 30 minutes");
    }

    /** One proof measured from outside: submit → the client sees it succeeded. */
    private record Sample(long latencyNanos, long postNanos, JsonNode inference) {
    }

    private Sample prove(String circuitId, List<Double> input, int pollMs, boolean callback) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("input", input);
        if (callback) {
            body.put("callbackUrl", "http://127.0.0.1:" + callbackServer.getAddress().getPort() + "/cb");
        }
        long t0 = System.nanoTime();
        HttpResponse<String> r = postJson("/v1/circuits/" + circuitId + "/inferences", body);
        long posted = System.nanoTime() - t0;
        expect(r, 202);
        JsonNode created = JSON.readTree(r.body());
        String id = created.get("id").asString();
        JsonNode inf;
        if (callback) {
            CountDownLatch latch = callbackWaits.computeIfAbsent(id, k -> new CountDownLatch(1));
            if (!latch.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no callback for inference " + id + " within 120 s");
            }
            long at = callbackArrivals.get(id);
            callbackWaits.remove(id);
            inf = get("/v1/inferences/" + id);
            return new Sample(at - t0, posted, inf);
        }
        long deadline = t0 + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            inf = get("/v1/inferences/" + id + (pollMs == LONG_POLL ? "?wait=" + WAIT_SECONDS : ""));
            String status = inf.path("status").asString();
            if (!status.equals("queued") && !status.equals("proving")) {
                return new Sample(System.nanoTime() - t0, posted, inf);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("inference " + id + " not done within 120 s: " + inf);
            }
            if (pollMs != LONG_POLL) {
                Thread.sleep(pollMs);
            }
        }
    }

    private Map<String, Object> series(String circuitId, List<Double> input, int runs, int pollMs, boolean callback)
            throws Exception {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            samples.add(prove(circuitId, input, pollMs, callback));
        }
        return summary(samples, how(pollMs, callback));
    }

    private Map<String, Object> postOnly(String circuitId, List<Double> input, int runs) throws Exception {
        List<Long> posts = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = postJson("/v1/circuits/" + circuitId + "/inferences", Map.of("input", input));
            posts.add(System.nanoTime() - t0);
            expect(r, 202);
            ids.add(JSON.readTree(r.body()).get("id").asString());
            // let it prove before the next POST: the POST alone, not the POST while a proof runs
            awaitEnd(ids.getLast());
        }
        return percentiles(posts);
    }

    private void awaitEnd(String id) throws Exception {
        while (true) {
            String s = get("/v1/inferences/" + id).path("status").asString();
            if (!s.equals("queued") && !s.equals("proving")) {
                return;
            }
            Thread.sleep(shortPollMillis);
        }
    }

    private Map<String, Object> load(String circuitId, List<Double> input, int pollMs, boolean callback) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> fs = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            fs.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < proofsPerClient; i++) {
                    try {
                        samples.add(prove(circuitId, input, pollMs, callback));
                    } catch (Exception e) {
                        errors.add(e.toString());
                    }
                }
                return null;
            }));
        }
        long t0 = System.nanoTime();
        go.countDown();
        for (Future<?> f : fs) {
            f.get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        Map<String, Object> r = summary(samples, how(pollMs, callback));
        r.put("clients", clients);
        r.put("proofsPerClient", proofsPerClient);
        r.put("seconds", round(seconds));
        r.put("throughputProofsPerSecond", round(samples.stream().filter(s -> succeeded(s)).count() / seconds));
        r.put("clientErrors", errors.size()); // requests that threw (timeouts, unexpected statuses): failures too
        r.put("errors", errors.stream().limit(10).toList());
        return r;
    }

    private static String how(int pollMs, boolean callback) {
        return callback ? "callback to a local HTTP server (POST start → callback received)"
                : pollMs == LONG_POLL ? "long poll GET /v1/inferences/{id}?wait=" + WAIT_SECONDS
                        + " (POST start → the GET that shows it ended, answered when it ended)"
                : "polling GET /v1/inferences/{id} every " + pollMs + " ms (POST start → first GET that shows it ended)";
    }

    private static boolean succeeded(Sample s) {
        return s.inference().path("status").asString().equals("succeeded");
    }

    private static Map<String, Object> summary(List<Sample> samples, String how) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("measuredBy", how);
        r.put("proofs", samples.size());
        r.put("succeeded", samples.stream().filter(LoadBenchmark::succeeded).count());
        r.put("failed", samples.stream().filter(s -> !succeeded(s)).count());
        r.put("latencyMillis", percentiles(samples.stream().map(Sample::latencyNanos).toList()));
        r.put("postMillis", percentiles(samples.stream().map(Sample::postNanos).toList()));
        // what the service itself recorded: time queued, and the native witness + proof
        r.put("serviceQueueMillis", percentilesMillis(samples, "queueMillis"));
        r.put("serviceWitnessMillis", percentilesMillis(samples, "witnessMillis"));
        r.put("serviceProveMillis", percentilesMillis(samples, "proveMillis"));
        List<Long> overhead = new ArrayList<>();
        for (Sample s : samples) {
            JsonNode t = s.inference().path("timings");
            long raw = t.path("proveMillis").asLong(0) + t.path("witnessMillis").asLong(0);
            overhead.add(s.latencyNanos() - raw * 1_000_000);
        }
        r.put("latencyMinusNativeProveMillis", percentiles(overhead));
        return r;
    }

    private static Map<String, Object> percentilesMillis(List<Sample> samples, String field) {
        List<Long> nanos = new ArrayList<>();
        for (Sample s : samples) {
            JsonNode v = s.inference().path("timings").path(field);
            if (v.isNumber()) {
                nanos.add(v.asLong() * 1_000_000);
            }
        }
        return percentiles(nanos);
    }

    /** p50/p95/p99 (nearest rank), min, max, mean of nanosecond samples, in milliseconds. */
    static Map<String, Object> percentiles(List<Long> nanos) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("n", nanos.size());
        if (nanos.isEmpty()) {
            return r;
        }
        List<Long> s = new ArrayList<>(nanos);
        s.sort(Comparator.naturalOrder());
        r.put("p50", round(rank(s, 0.50) / 1e6));
        r.put("p95", round(rank(s, 0.95) / 1e6));
        r.put("p99", round(rank(s, 0.99) / 1e6));
        r.put("min", round(s.getFirst() / 1e6));
        r.put("max", round(s.getLast() / 1e6));
        r.put("mean", round(s.stream().mapToLong(Long::longValue).average().orElse(0) / 1e6));
        return r;
    }

    private static long rank(List<Long> sorted, double q) {
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> bars(Map<String, Object> result) {
        Map<String, Object> bars = new LinkedHashMap<>();
        Map<String, Object> single = (Map<String, Object>) result.get("singleClient");
        Map<String, Object> lat = (Map<String, Object>) ((Map<String, Object>) single.get("polling")).get("latencyMillis");
        double p50 = ((Number) lat.get("p50")).doubleValue();
        double p99 = ((Number) lat.get("p99")).doubleValue();
        bars.put("singleClientP50Millis", Map.of("bar", 50, "measured", p50, "met", p50 <= 50));
        bars.put("singleClientP99Millis", Map.of("bar", 200, "measured", p99, "met", p99 <= 200));
        // issue 9 (ADR 0027): the same bars for the long poll (?wait=), also "polling the API"
        Map<String, Object> lp = (Map<String, Object>) single.get("longPoll");
        if (lp != null) {
            Map<String, Object> l = (Map<String, Object>) lp.get("latencyMillis");
            double lp50 = ((Number) l.get("p50")).doubleValue();
            double lp99 = ((Number) l.get("p99")).doubleValue();
            bars.put("singleClientLongPollP50Millis", Map.of("bar", 50, "measured", lp50, "met", lp50 <= 50));
            bars.put("singleClientLongPollP99Millis", Map.of("bar", 200, "measured", lp99, "met", lp99 <= 200));
        }
        Map<String, Object> big = (Map<String, Object>) result.get("bigCircuit");
        if (big != null) {
            Map<String, Object> s = (Map<String, Object>) big.get("polling");
            double latency = ((Number) ((Map<String, Object>) s.get("latencyMillis")).get("p50")).doubleValue();
            Map<String, Object> w = (Map<String, Object>) s.get("serviceWitnessMillis");
            double raw = ((Number) ((Map<String, Object>) s.get("serviceProveMillis")).get("p50")).doubleValue()
                    + (w.get("p50") == null ? 0 : ((Number) w.get("p50")).doubleValue());
            double pct = 100 * (latency - raw) / raw;
            bars.put("serviceOverheadPercent", Map.of("bar", 10, "rawProveMillis", raw, "latencyP50Millis", latency,
                    "measured", round(pct), "met", raw >= 1000 && pct <= 10,
                    "note", "raw = native witness + proof of the same proofs (the service's timings), p50"));
        }
        Map<String, Object> baseline = (Map<String, Object>) result.get("baseline");
        Map<String, Object> load = (Map<String, Object>) ((Map<String, Object>) result.get("load")).get("polling");
        double base = ((Number) baseline.get("throughputProofsPerSecond")).doubleValue();
        double ours = ((Number) load.get("throughputProofsPerSecond")).doubleValue();
        bars.put("throughputVsGnarkAlone", Map.of("bar", 0.5, "gnarkAloneProofsPerSecond", base,
                "serviceProofsPerSecond", ours, "measured", round(ours / base), "met", ours / base >= 0.5));
        Map<String, Object> loadLp = (Map<String, Object>) ((Map<String, Object>) result.get("load")).get("longPoll");
        if (loadLp != null) {
            double lpOurs = ((Number) loadLp.get("throughputProofsPerSecond")).doubleValue();
            bars.put("throughputVsGnarkAloneLongPoll", Map.of("bar", 0.5, "gnarkAloneProofsPerSecond", base,
                    "serviceProofsPerSecond", lpOurs, "measured", round(lpOurs / base), "met", lpOurs / base >= 0.5));
        }
        return bars;
    }

    // ---- callbacks ----

    private void startCallbackServer() throws IOException {
        callbackServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        callbackServer.setExecutor(Executors.newFixedThreadPool(4));
        callbackServer.createContext("/cb", ex -> {
            long at = System.nanoTime();
            try (InputStream in = ex.getRequestBody()) {
                JsonNode n = JSON.readTree(in.readAllBytes());
                String id = n.path("inference").path("id").asString("");
                callbackArrivals.putIfAbsent(id, at);
                callbackWaits.computeIfAbsent(id, k -> new CountDownLatch(1)).countDown();
            } catch (RuntimeException e) {
                LOG.println("zkml load bench: unreadable callback: " + e);
            }
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        callbackServer.start();
    }

    // ---- HTTP ----

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        return http.send(b.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postJson(String path, Object body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri(path)).GET());
        expect(r, 200);
        return JSON.readTree(r.body());
    }

    private static void expect(HttpResponse<String> r, int status) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(r.request().method() + " " + r.uri().getPath() + " answered " + r.statusCode()
                    + " (expected " + status + "): " + r.body());
        }
    }

    // ---- small things ----

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static List<Double> toList(double[] a) {
        List<Double> l = new ArrayList<>();
        for (double d : a) {
            l.add(d);
        }
        return l;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return null;
        }
    }

    private static String tail(Path f, int chars) {
        try {
            String s = Files.readString(f);
            return s.substring(Math.max(0, s.length() - chars));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.println("zkml load bench: could not delete " + dir + ": " + e);
        }
    }
}
