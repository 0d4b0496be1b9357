package io.zkml.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Assumptions;
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

import io.zkml.api.jobs.JobWorkers;
import io.zkml.api.testing.Http;
import io.zkml.api.testing.Http.Response;
import io.zkml.api.testing.TestModels;
import io.zkml.api.testing.TestPostgres;
import io.zkml.compiler.tribuo.TribuoModelReader;

/**
 * The whole service over real HTTP: the embedded PostgreSQL (a fresh data directory), the real
 * migrations, the real compiler and the real gnark prover; job workers in the same process.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceFlowTest {

    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final Set<String> CIRCUIT_DONE = Set.of("ready", "failed");
    private static final Set<String> INFERENCE_DONE = Set.of("succeeded", "failed");
    private static final BigInteger R = new BigInteger(
            "21888242871839275222246405745257275088548364400416034343698204186575808495617");

    @DynamicPropertySource
    static void embeddedPostgres(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    JobWorkers workers;

    @Autowired
    @org.springframework.beans.factory.annotation.Qualifier("requestMappingHandlerMapping")
    org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping handlerMapping;

    Http http;
    TestModels.Example credit;
    String modelId;
    String circuitId;
    JsonNode circuit;
    JsonNode inference;

    @BeforeAll
    void uploadCompileAndProve() {
        http = new Http(port);
        credit = TestModels.creditRisk();
        Response upload = http.postMultipart("/v1/models",
                Http.parts("file", credit.model(), "format", "tribuo", "name", credit.name()));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        modelId = upload.text("id");
        assertThat(upload.location()).isEqualTo("/v1/models/" + modelId);

        circuitId = compile(modelId, credit.quantization());
        circuit = http.awaitStatus("/v1/circuits/" + circuitId, CIRCUIT_DONE, DEADLINE);
        assertThat(circuit.get("status").asString()).as(circuit.toString()).isEqualTo("ready");

        String inferenceId = infer(circuitId, credit.input());
        inference = http.awaitStatus("/v1/inferences/" + inferenceId, INFERENCE_DONE, DEADLINE);
        assertThat(inference.get("status").asString()).as(inference.toString()).isEqualTo("succeeded");
    }

    // ---- models ---------------------------------------------------------------------------

    @Test
    void anUploadedModelIsReadBackWithItsFeaturesAndLabels() throws Exception {
        Response r = http.get("/v1/models/" + modelId);
        assertThat(r.status()).isEqualTo(200);
        JsonNode m = r.json();
        assertThat(m.get("name").asString()).isEqualTo("credit-risk");
        assertThat(m.get("format").asString()).isEqualTo("tribuo");
        assertThat(m.get("family").asString()).isEqualTo("linear");
        assertThat(m.get("memberCount").asInt()).isEqualTo(1);
        assertThat(m.get("maxDepth").asInt()).isZero();
        assertThat(m.get("sha256").asString()).isEqualTo(sha256(credit.model()));
        assertThat(strings(m.get("features")))
                .containsExactly("credit_history_years", "debt_ratio", "income_k", "late_payments", "loan_amount_k");
        assertThat(strings(m.get("outputs"))).containsExactlyInAnyOrder("high", "low", "medium");
    }

    @Test
    void filesThatAreNoSupportedModelAreRejectedWithTheirReasonAndNothingIsStored() {
        int before = count("models");
        expectProblem(http.postMultipart("/v1/models", Http.parts("file", randomBytes(512), "format", "tribuo")),
                422, "invalid-model").satisfies(p -> assertThat(p.get("reason").asString()).isEqualTo("not-protobuf"));
        expectProblem(http.postMultipart("/v1/models", Http.parts("file", new byte[0], "format", "tribuo")),
                422, "invalid-model").satisfies(p -> assertThat(p.get("reason").asString()).isEqualTo("empty"));
        expectProblem(http.postMultipart("/v1/models", Http.parts("file", TestModels.javaSerialized(), "format", "tribuo")),
                422, "invalid-model").satisfies(p -> {
                    assertThat(p.get("reason").asString()).isEqualTo("java-serialized");
                    assertThat(p.get("detail").asString()).contains("Java-serialized");
                });
        expectProblem(http.postMultipart("/v1/models",
                        Http.parts("file", TestModels.unsupportedTribuoModel(), "format", "tribuo")),
                422, "unsupported-model-type").satisfies(p -> {
                    assertThat(p.get("reason").asString()).isEqualTo("unsupported-model-type");
                    assertThat(p.get("detail").asString()).contains("DummyClassifierModel");
                });
        expectProblem(http.postMultipart("/v1/models", Http.parts("file", credit.model(), "format", "pmml")),
                422, "unsupported-model-format");
        // onnx is a known format now: a Tribuo file declared as ONNX is not a valid ONNX model
        expectProblem(http.postMultipart("/v1/models", Http.parts("file", credit.model(), "format", "onnx")),
                422, "invalid-model");
        expectProblem(http.postMultipart("/v1/models", Http.parts("format", "tribuo", "name", "no file")),
                400, "invalid-request").satisfies(p -> assertThat(p.get("detail").asString()).contains("file"));
        expectProblem(http.postJson("/v1/models", Map.of("file", "x")), 415, "unsupported-media-type");
        expectProblem(http.postMultipart("/v1/models", Http.parts("file", new byte[TribuoModelReader.MAX_BYTES + 1000])),
                413, "model-too-large").satisfies(p -> assertThat(p.get("maxBytes").asLong()).isEqualTo(TribuoModelReader.MAX_BYTES));
        assertThat(count("models")).isEqualTo(before);
    }

    // ---- circuits -------------------------------------------------------------------------

    @Test
    void aReadyCircuitReportsItsSizeHashesVersionsAndQuantization() {
        assertThat(circuit.get("modelId").asString()).isEqualTo(modelId);
        assertThat(circuit.get("provingSystem").asString()).isEqualTo("groth16");
        assertThat(circuit.get("constraints").asInt()).isPositive();
        assertThat(circuit.get("publicInputs").asInt()).isEqualTo(5 + 1);
        assertThat(circuit.get("circuitHash").asString()).matches("[0-9a-f]{64}");
        assertThat(circuit.get("verifyingKeyHash").asString()).matches("[0-9a-f]{64}");
        assertThat(circuit.get("quantization").get("inputScale").isInt()).isTrue();
        assertThat(circuit.get("quantization").get("inputs")).hasSize(5);
        assertThat(circuit.get("versions").get("gnark").asString()).startsWith("v0.16.");
        assertThat(circuit.get("versions").get("compiler").asString()).isNotBlank();
        assertThat(circuit.get("versions").get("abi").asInt()).isPositive();
        assertThat(circuit.get("timings").get("setupMillis").isNumber()).isTrue();
        assertThat(circuit.has("error")).isFalse();
    }

    @Test
    void theIrIsServedForAuditorsAndHashesToTheCircuitHash() throws Exception {
        Response ir = http.get("/v1/circuits/" + circuitId + "/ir");
        assertThat(ir.status()).isEqualTo(200);
        assertThat(ir.contentType()).startsWith("application/json");
        assertThat(sha256(ir.body().getBytes(StandardCharsets.UTF_8))).isEqualTo(circuit.get("circuitHash").asString());
        assertThat(ir.json().get("format").asString()).isEqualTo("zkml-ir");
    }

    @Test
    void theVerifyingKeyFileIsServedAndHashesToTheVerifyingKeyHash() throws Exception {
        Http.BytesResponse vk = http.getBytes("/v1/circuits/" + circuitId + "/verifying-key", "*/*");
        assertThat(vk.status()).isEqualTo(200);
        assertThat(vk.contentType()).startsWith("application/octet-stream");
        assertThat(sha256(vk.body())).isEqualTo(circuit.get("verifyingKeyHash").asString());
        assertThat(new String(vk.body(), 0, 8, StandardCharsets.US_ASCII)).isEqualTo("ZKMLART1");
        assertThat(circuit.get("links").get("verifyingKey").asString()).isEqualTo("/v1/circuits/" + circuitId + "/verifying-key");
        Http.BytesResponse asked = http.getBytes("/v1/circuits/" + circuitId + "/verifying-key", "application/octet-stream");
        assertThat(asked.body()).isEqualTo(vk.body());
    }

    @Test
    void theSolidityVerifierIsPlainText() {
        Response sol = http.get("/v1/circuits/" + circuitId + "/verifier.sol");
        assertThat(sol.status()).isEqualTo(200);
        assertThat(sol.contentType()).startsWith("text/plain");
        assertThat(sol.body()).contains("pragma solidity").contains("function verifyProof");
    }

    @Test
    void circuitSettingsThatCannotApplyAreRejectedBeforeAnythingIsQueued() {
        int before = count("circuits");
        String path = "/v1/models/" + modelId + "/circuits";
        expectProblem(http.postJson(path, Map.of("provingSystem", "stark")), 422, "unsupported-proving-system");
        expectProblem(http.postJson(path, Map.of("provingSystem", "groth16",
                        "quantization", Map.of("inputRanges", List.of(Map.of("min", 0, "max", 1))))),
                422, "invalid-quantization-settings")
                .satisfies(p -> assertThat(p.get("detail").asString()).contains("5 features"));
        expectProblem(http.postJson(path, Map.of("quantization", Map.of("inputRanges", List.of(
                        range(0, 40), range(1, 0), range(0, 300), range(0, 20), range(0, 150))))),
                422, "invalid-quantization-settings")
                .satisfies(p -> assertThat(p.get("detail").asString()).contains("greater than max"));
        expectProblem(http.postJson(path, Map.of("quantization", Map.of("sampleInputs", List.of(List.of(1, 2))))),
                422, "invalid-quantization-settings");
        expectProblem(http.postJson(path, "{\"quantization\": {\"sampleInputs\": [[1, 2, NaN, 4, 5]]}}"),
                422, "invalid-quantization-settings");
        expectProblem(http.postJson(path, "{\"quantization\": {\"inputRanges\": [{\"min\": 0, \"max\": 40},"
                        + " {\"min\": 0, \"max\": Infinity}, {\"min\": 0, \"max\": 300}, {\"min\": 0, \"max\": 20},"
                        + " {\"min\": 0, \"max\": 150}]}}"),
                422, "invalid-quantization-settings").satisfies(p -> assertThat(p.get("detail").asString()).contains("finite"));
        expectProblem(http.postJson(path, Map.of("quantization", Map.of("inputRanges", List.of(
                        range(0, 40), Map.of("min", 0), range(0, 300), range(0, 20), range(0, 150))))),
                422, "invalid-quantization-settings").satisfies(p -> assertThat(p.get("detail").asString()).contains("min and max"));
        expectProblem(http.postJson(path, Map.of("quantization", Map.of("weightScale", 129))), 422, "invalid-quantization-settings")
                .satisfies(p -> assertThat(p.get("detail").asString()).contains("weightScale"));
        expectProblem(http.postJson(path, Map.of("quantization", Map.of("inputScale", -1))), 422, "invalid-quantization-settings")
                .satisfies(p -> assertThat(p.get("detail").asString()).contains("inputScale"));
        Map<String, Object> hugeScale = new LinkedHashMap<>();
        hugeScale.put("inputScale", 500);
        hugeScale.put("inputRanges", credit.quantization().get("inputRanges"));
        expectProblem(http.postJson(path, Map.of("quantization", hugeScale)), 422, "invalid-quantization-settings")
                .satisfies(p -> assertThat(p.get("detail").asString()).contains("inputScale"));
        expectProblem(http.postJson(path, "{\"quantization\": {\"inputScale\": \"many\"}}"), 400, "invalid-request");
        expectProblem(http.postJson(path, "{\"provingSystem\": "), 400, "invalid-request");
        assertThat(count("circuits")).isEqualTo(before);
    }

    @Test
    void settingsOnlyCompilingRejectsAreQueuedAndFailTheCircuitWithTheCompilersMessage() throws Exception {
        // Inputs up to 1e30 at 64 fractional bits, weights at 128: the dense accumulator needs
        // about 296 bits, beyond the field's 2^248. Nothing cheap finds that; the compile job does.
        Map<String, Object> overflow = new LinkedHashMap<>();
        overflow.put("inputScale", 64);
        overflow.put("weightScale", 128);
        overflow.put("inputRanges", List.of(range(0, 1e30), range(0, 1e30), range(0, 1e30), range(0, 1e30), range(0, 1e30)));
        String key = "overflow-" + UUID.randomUUID();
        String body = Http.json().writeValueAsString(Map.of("quantization", overflow));
        Response r = http.postJson("/v1/models/" + modelId + "/circuits", body, key);
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        String id = r.text("id");

        JsonNode failed = http.awaitStatus("/v1/circuits/" + id, CIRCUIT_DONE, DEADLINE);
        assertThat(failed.get("status").asString()).as(failed.toString()).isEqualTo("failed");
        assertThat(failed.get("error").asString())
                .startsWith("compilation failed: overflow: the dense accumulator")
                .contains("use smaller scales or narrower input ranges")
                .doesNotContain("Exception").doesNotContain("io.zkml.").doesNotContain("\tat ");
        assertThat(failed.has("circuitHash")).isFalse();
        assertThat(jdbc.sql("SELECT attempts FROM jobs WHERE subject_id = ?::uuid").param(id).query(Integer.class).single())
                .as("a compile error is final: no retry").isEqualTo(1);
        expectProblem(http.postJson("/v1/circuits/" + id + "/inferences", Map.of("input", credit.input())),
                409, "circuit-not-ready").satisfies(p -> assertThat(p.get("detail").asString()).contains("overflow"));

        // The key keeps its meaning: the same request answers with the same (failed) circuit.
        Response again = http.postJson("/v1/models/" + modelId + "/circuits", body, key);
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.text("id")).isEqualTo(id);
        assertThat(again.text("status")).isEqualTo("failed");
    }

    // ---- inferences -----------------------------------------------------------------------

    @Test
    void anInferenceIsProvenWithTheFloatModelsLabel() throws Exception {
        String floatLabel = TribuoModelReader.read(credit.model())
                .predict(credit.input().stream().mapToDouble(Double::doubleValue).toArray()).label();
        assertThat(inference.get("output").get("label").asString()).isEqualTo(floatLabel);
        assertThat(inference.get("fidelity").get("floatLabel").asString()).isEqualTo(floatLabel);
        assertThat(inference.get("fidelity").get("labelsAgree").asBoolean()).isTrue();
        assertThat(inference.get("timings").get("queueMillis").isNumber()).isTrue();
        assertThat(inference.get("timings").get("witnessMillis").isNumber()).isTrue();
        assertThat(inference.get("timings").get("proveMillis").isNumber()).isTrue();
    }

    @Test
    void thePublicInputsAreTheQuantizedInputThenTheLabelIndex() {
        List<String> pub = strings(inference.get("publicInputs"));
        assertThat(pub).hasSize(6);
        int scale = circuit.get("quantization").get("inputScale").asInt();
        for (int i = 0; i < 5; i++) {
            long q = Math.round(credit.input().get(i) * Math.scalb(1.0, scale));
            assertThat(new BigInteger(pub.get(i))).as("public input " + i).isEqualTo(BigInteger.valueOf(q).mod(R));
        }
        List<String> labels = strings(http.get("/v1/models/" + modelId).json().get("outputs"));
        assertThat(pub.get(5)).isEqualTo(Integer.toString(labels.indexOf(inference.get("output").get("label").asString())));
        assertThat(inference.get("proof").asString()).matches("0x[0-9a-f]{512}");
        assertThat(inference.get("calldata").asString()).startsWith("0x").contains(inference.get("proof").asString().substring(2));
    }

    @Test
    void inputsTheCircuitCannotTakeAreRejectedBeforeProvingNamingTheProblem() {
        int before = count("inferences");
        String path = "/v1/circuits/" + circuitId + "/inferences";
        expectProblem(http.postJson(path, "{\"input\": [1, 2, 3]}"), 422, "invalid-input")
                .satisfies(p -> assertThat(p.get("reason").asString()).isEqualTo("wrong-count"));
        for (String nonFinite : List.of("NaN", "\"NaN\"", "Infinity", "\"Infinity\"", "-Infinity", "\"-Infinity\"", "1e999")) {
            expectProblem(http.postJson(path, "{\"input\": [" + nonFinite + ", 0.35, 85, 1, 25]}"), 422, "invalid-input")
                    .satisfies(p -> assertThat(p.get("reason").asString()).as(nonFinite).isEqualTo("not-finite"));
        }
        for (String notANumber : List.of("null", "\"12.5\"", "\"abc\"", "true", "[1]", "{}")) {
            expectProblem(http.postJson(path, "{\"input\": [" + notANumber + ", 0.35, 85, 1, 25]}"), 422, "invalid-input")
                    .satisfies(p -> assertThat(p.get("reason").asString()).as(notANumber).isEqualTo("not-a-number"));
        }
        expectProblem(http.postJson(path, "{\"input\": [12.5, 0.35, 850, 1, 25]}"), 422, "invalid-input")
                .satisfies(p -> {
                    assertThat(p.get("reason").asString()).isEqualTo("out-of-range");
                    assertThat(p.get("detail").asString()).contains("income_k").contains("[0.0, 300.0]");
                });
        expectProblem(http.postJson(path, "{\"input\": [-0.5, 0.35, 85, 1, 25]}"), 422, "invalid-input")
                .satisfies(p -> assertThat(p.get("detail").asString()).contains("credit_history_years"));
        expectProblem(http.postJson(path, "{}"), 400, "invalid-request");
        expectProblem(http.postJson(path, "{\"input\": \"12.5\"}"), 400, "invalid-request");
        expectProblem(http.postJson(path, "[12.5]"), 400, "invalid-request");
        expectProblem(http.postJson(path, "{\"input\": [12.5,"), 400, "invalid-request");
        assertThat(count("inferences")).isEqualTo(before);
    }

    @Test
    void anInputByNameIsProvenLikeTheSameInputInFeatureOrder() throws Exception {
        List<String> features = strings(http.get("/v1/models/" + modelId).json().get("features"));
        Map<String, Object> byName = new LinkedHashMap<>();
        for (int i = features.size() - 1; i >= 0; i--) {
            byName.put(features.get(i), credit.input().get(i));
        }
        String path = "/v1/circuits/" + circuitId + "/inferences";
        String key = "by-name-" + UUID.randomUUID();
        Response r = http.postJson(path, Http.json().writeValueAsString(Map.of("input", byName)), key);
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        List<Double> stored = new ArrayList<>();
        r.json().get("input").forEach(n -> stored.add(n.asDouble()));
        assertThat(stored).isEqualTo(credit.input());
        // The same input, as an array, is the same request for the Idempotency-Key.
        Response again = http.postJson(path, Http.json().writeValueAsString(Map.of("input", credit.input())), key);
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.text("id")).isEqualTo(r.text("id"));

        JsonNode done = http.awaitStatus("/v1/inferences/" + r.text("id"), INFERENCE_DONE, DEADLINE);
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("succeeded");
        assertThat(done.get("publicInputs")).isEqualTo(inference.get("publicInputs"));
    }

    @Test
    void inputsByNameMustNameEveryFeatureExactlyOnce() {
        int before = count("inferences");
        String path = "/v1/circuits/" + circuitId + "/inferences";
        String good = "\"credit_history_years\": 12.5, \"debt_ratio\": 0.35, \"income_k\": 85, \"late_payments\": 1";
        expectProblem(http.postJson(path, "{\"input\": {" + good + ", \"loan_amount_k\": 25, \"zip\": 1, \"Income_K\": 2}}"),
                422, "invalid-input").satisfies(p -> {
                    assertThat(p.get("reason").asString()).isEqualTo("unknown-features");
                    assertThat(strings(p.get("unknownFeatures"))).containsExactly("zip", "Income_K");
                    assertThat(strings(p.get("missingFeatures"))).isEmpty();
                    assertThat(p.get("detail").asString()).contains("\"zip\"").contains("\"Income_K\"");
                });
        expectProblem(http.postJson(path, "{\"input\": {\"debt_ratio\": 0.35, \"income_k\": 85, \"late_payments\": 1}}"),
                422, "invalid-input").satisfies(p -> {
                    assertThat(p.get("reason").asString()).isEqualTo("missing-features");
                    assertThat(strings(p.get("missingFeatures"))).containsExactly("credit_history_years", "loan_amount_k");
                    assertThat(strings(p.get("features"))).hasSize(5);
                });
        expectProblem(http.postJson(path, "{\"input\": {" + good + ", \"loan_amount_k\": 25, \"debt_ratio\": 0.4}}"),
                400, "invalid-request")
                .satisfies(p -> assertThat(p.get("detail").asString()).contains("\"debt_ratio\"").contains("more than once"));
        for (String nonFinite : List.of("NaN", "\"NaN\"", "-Infinity", "\"Infinity\"", "1e999")) {
            expectProblem(http.postJson(path, "{\"input\": {" + good + ", \"loan_amount_k\": " + nonFinite + "}}"),
                    422, "invalid-input").satisfies(p -> assertThat(p.get("reason").asString()).as(nonFinite).isEqualTo("not-finite"));
        }
        for (String notANumber : List.of("null", "\"25\"", "false", "[25]", "{}")) {
            expectProblem(http.postJson(path, "{\"input\": {" + good + ", \"loan_amount_k\": " + notANumber + "}}"),
                    422, "invalid-input").satisfies(p -> assertThat(p.get("reason").asString()).as(notANumber).isEqualTo("not-a-number"));
        }
        expectProblem(http.postJson(path, "{\"input\": {" + good + ", \"loan_amount_k\": 25000}}"), 422, "invalid-input")
                .satisfies(p -> {
                    assertThat(p.get("reason").asString()).isEqualTo("out-of-range");
                    assertThat(p.get("detail").asString()).contains("loan_amount_k");
                });
        expectProblem(http.postJson(path, "{\"input\": {" + good + ", \"loan_amount_k\": 25"), 400, "invalid-request");
        assertThat(count("inferences")).isEqualTo(before);
    }

    @Test
    void aRetriedPostWithTheSameIdempotencyKeyCreatesNothingNew() throws Exception {
        String path = "/v1/circuits/" + circuitId + "/inferences";
        String body = Http.json().writeValueAsString(Map.of("input", credit.input()));
        int before = count("inferences");
        String key = "retry-" + UUID.randomUUID();

        // Two clients race with the same key: one inference, both get its id.
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(() -> http.postJson(path, body, key));
            var b = pool.submit(() -> http.postJson(path, body, key));
            assertThat(a.get().status()).as(a.get().toString()).isEqualTo(202);
            assertThat(b.get().status()).as(b.get().toString()).isEqualTo(202);
            assertThat(a.get().text("id")).isEqualTo(b.get().text("id"));
            assertThat(a.get().location()).isEqualTo(b.get().location());
        } finally {
            pool.shutdownNow();
        }
        Response again = http.postJson(path, body, key);
        assertThat(again.status()).isEqualTo(202);
        assertThat(count("inferences")).isEqualTo(before + 1);

        List<Double> other = new ArrayList<>(credit.input());
        other.set(0, other.get(0) + 1);
        expectProblem(http.postJson(path, Http.json().writeValueAsString(Map.of("input", other)), key), 422,
                "idempotency-key-reused").satisfies(p -> assertThat(p.get("resourceId").asString()).isEqualTo(again.text("id")));
        expectProblem(http.postJson(path, body, "has spaces in it"), 400, "invalid-request");
        assertThat(http.postJson(path, body, key + "-other").text("id")).isNotEqualTo(again.text("id"));
        assertThat(count("inferences")).isEqualTo(before + 2);

        String circuits = "/v1/models/" + modelId + "/circuits";
        String settings = Http.json().writeValueAsString(Map.of("quantization", credit.quantization()));
        Response c1 = http.postJson(circuits, settings, key);
        Response c2 = http.postJson(circuits, settings, key);
        assertThat(c1.status()).isEqualTo(202);
        assertThat(c2.text("id")).isEqualTo(c1.text("id"));
        assertThat(jdbc.sql("SELECT count(*) FROM jobs WHERE subject_id = ?::uuid").param(c1.text("id")).query(Integer.class).single())
                .isEqualTo(1);

        Response m1 = http.postMultipart("/v1/models", Http.parts("file", credit.model(), "name", "again"), key);
        Response m2 = http.postMultipart("/v1/models", Http.parts("file", credit.model(), "name", "again"), key);
        assertThat(m1.status()).isEqualTo(201);
        assertThat(m2.status()).isEqualTo(201);
        assertThat(m2.text("id")).isEqualTo(m1.text("id"));
        http.awaitStatus("/v1/circuits/" + c1.text("id"), CIRCUIT_DONE, DEADLINE);
    }

    // ---- verification ---------------------------------------------------------------------

    @Test
    void theProofVerifies() {
        assertThat(verify(inference.get("proof").asString(), strings(inference.get("publicInputs")))).isTrue();
    }

    @Test
    void aWellFormedProofOfSomethingElseIsInvalid() {
        String p = inference.get("proof").asString().substring(2);
        // Swap A and C: both stay valid curve points, the pairing check fails.
        String swapped = "0x" + p.substring(384, 512) + p.substring(128, 384) + p.substring(0, 128);
        assertThat(verify(swapped, strings(inference.get("publicInputs")))).isFalse();
    }

    @Test
    void aChangedPublicInputMakesTheProofInvalid() {
        List<String> pub = strings(inference.get("publicInputs"));
        List<String> otherLabel = new ArrayList<>(pub);
        otherLabel.set(5, Integer.toString((Integer.parseInt(pub.get(5)) + 1) % 3));
        assertThat(verify(inference.get("proof").asString(), otherLabel)).isFalse();
        List<String> otherInput = new ArrayList<>(pub);
        otherInput.set(2, new BigInteger(pub.get(2)).add(BigInteger.ONE).toString());
        assertThat(verify(inference.get("proof").asString(), otherInput)).isFalse();
    }

    @Test
    void malformedProofsAndPublicInputsAreBadRequests() {
        String proof = inference.get("proof").asString();
        List<String> pub = strings(inference.get("publicInputs"));
        // A flipped bit in A.y moves A off the curve.
        String flipped = proof.substring(0, 129) + (proof.charAt(129) == '0' ? '1' : '0') + proof.substring(130);
        expectProblem(verification(flipped, pub), 400, "malformed-proof")
                .satisfies(p -> assertThat(p.get("detail").asString()).contains("curve"));
        expectProblem(verification("0xnot-hex", pub), 400, "malformed-proof");
        expectProblem(verification(proof.substring(2), pub), 400, "malformed-proof");
        expectProblem(verification(proof.substring(0, proof.length() - 2), pub), 400, "malformed-proof");
        expectProblem(verification(proof + "00", pub), 400, "malformed-proof");
        expectProblem(verification(proof, pub.subList(0, 5)), 400, "invalid-public-inputs")
                .satisfies(p -> assertThat(p.get("expectedCount").asInt()).isEqualTo(6));
        List<String> tooBig = new ArrayList<>(pub);
        tooBig.set(0, R.toString());
        expectProblem(verification(proof, tooBig), 400, "invalid-public-inputs")
                .satisfies(p -> assertThat(p.get("detail").asString()).contains("modulus"));
        List<String> negative = new ArrayList<>(pub);
        negative.set(0, "-1");
        expectProblem(verification(proof, negative), 400, "invalid-public-inputs");
        List<String> decimalPoint = new ArrayList<>(pub);
        decimalPoint.set(0, "1.5");
        expectProblem(verification(proof, decimalPoint), 400, "invalid-public-inputs");
        expectProblem(http.postJson("/v1/verifications", Map.of("proof", proof, "publicInputs", pub)), 400, "invalid-request");
    }

    // ---- ids, states, paths ---------------------------------------------------------------

    @Test
    void unknownAndMalformedIdsAreNotFound() {
        String unknown = UUID.randomUUID().toString();
        for (String id : List.of(unknown, "not-a-uuid", "1")) {
            expectProblem(http.get("/v1/models/" + id), 404, "not-found");
            expectProblem(http.get("/v1/circuits/" + id), 404, "not-found");
            expectProblem(http.get("/v1/circuits/" + id + "/verifier.sol"), 404, "not-found");
            expectProblem(http.get("/v1/circuits/" + id + "/ir"), 404, "not-found");
            expectProblem(http.get("/v1/circuits/" + id + "/verifying-key"), 404, "not-found");
            expectProblem(http.get("/v1/inferences/" + id), 404, "not-found");
            expectProblem(http.postJson("/v1/models/" + id + "/circuits", Map.of("provingSystem", "groth16")), 404, "not-found");
            expectProblem(http.postJson("/v1/circuits/" + id + "/inferences", Map.of("input", credit.input())), 404, "not-found");
            expectProblem(verification(id, inference.get("proof").asString(), strings(inference.get("publicInputs"))),
                    404, "not-found");
        }
    }

    @Test
    void aCircuitThatIsNotReadyIsAConflict() {
        UUID compiling = UUID.randomUUID();
        jdbc.sql("INSERT INTO circuits (id, model_id, status, proving_system, settings) VALUES (?, ?, 'compiling', 'groth16', '{}')")
                .params(compiling, UUID.fromString(modelId)).update();
        expectProblem(http.postJson("/v1/circuits/" + compiling + "/inferences", Map.of("input", credit.input())),
                409, "circuit-not-ready").satisfies(p -> assertThat(p.get("circuitStatus").asString()).isEqualTo("compiling"));
        expectProblem(http.get("/v1/circuits/" + compiling + "/verifier.sol"), 409, "circuit-not-ready");
        expectProblem(http.get("/v1/circuits/" + compiling + "/ir"), 409, "circuit-not-ready");
        expectProblem(http.get("/v1/circuits/" + compiling + "/verifying-key"), 409, "circuit-not-ready");
        expectProblem(http.get("/v1/circuits/" + compiling + "/verifying-key", "application/octet-stream"), 409, "circuit-not-ready");
        expectProblem(verification(compiling.toString(), inference.get("proof").asString(),
                strings(inference.get("publicInputs"))), 409, "circuit-not-ready");
    }

    @Test
    void springsOwnErrorsAreProblemsToo() {
        expectProblem(http.get("/v1/nothing-here"), 404, "not-found");
        expectProblem(http.get("/"), 404, "not-found");
        // issue 9: DELETE /v1/models/{id} exists now; PUT does not
        expectProblem(http.request("PUT", "/v1/models/" + modelId, Map.of(), "{}"), 405, "method-not-allowed");
        expectProblem(http.get("/v1/verifications"), 405, "method-not-allowed");
        Response problem = http.get("/v1/circuits/" + UUID.randomUUID() + "/verifier.sol", "text/plain");
        expectProblem(problem, 404, "not-found");
    }

    @Test
    void theOpenApiDocumentIsServedAndListsExactlyTheMappedEndpoints() {
        Response doc = http.get("/v1/openapi.yaml");
        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.contentType()).startsWith("application/yaml");
        Map<String, Object> yaml = new org.yaml.snakeyaml.Yaml().load(doc.body());
        assertThat(yaml.get("openapi")).isEqualTo("3.1.0");
        java.util.Set<String> documented = new java.util.TreeSet<>();
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) yaml.get("paths");
        paths.forEach((path, ops) -> ops.keySet().forEach(m -> documented.add(m.toUpperCase() + " " + normalize(path))));

        java.util.Set<String> mapped = new java.util.TreeSet<>();
        handlerMapping.getHandlerMethods().forEach((info, method) -> info.getPatternValues().stream()
                .filter(p -> p.startsWith("/v1/"))
                .forEach(p -> info.getMethodsCondition().getMethods().forEach(m -> mapped.add(m.name() + " " + normalize(p)))));
        assertThat(documented).isEqualTo(mapped);
    }

    private static String normalize(String path) {
        return path.replaceAll("\\{[^}]+}", "{}");
    }

    // ---- workers, artifacts ---------------------------------------------------------------

    @Test
    void aCompileJobWhoseWorkerDiedIsRequeuedAndFinishedByAnotherWorker() {
        // What a worker that died while compiling leaves behind: a circuit "compiling", a job
        // "running" under its name, a lease that nobody renews any more.
        UUID circuit = UUID.randomUUID();
        jdbc.sql("INSERT INTO circuits (id, model_id, status, proving_system, settings) VALUES (?, ?, 'compiling', 'groth16', ?::json)")
                .params(circuit, UUID.fromString(modelId), Http.json().writeValueAsString(credit.quantization())).update();
        jdbc.sql("""
                INSERT INTO jobs (id, kind, subject_id, status, attempts, max_attempts, lease_owner, lease_expires_at, started_at)
                VALUES (?, 'compile', ?, 'running', 1, 3, 'dead-worker', now() - interval '1 second', now())
                """).params(UUID.randomUUID(), circuit).update();

        // The reaper also runs on its own schedule; whichever run finds the expired lease re-queues the job.
        workers.reap();
        JsonNode done = http.awaitStatus("/v1/circuits/" + circuit, CIRCUIT_DONE, DEADLINE);
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("ready");
        assertThat(jdbc.sql("SELECT attempts FROM jobs WHERE subject_id = ?").param(circuit).query(Integer.class).single())
                .isEqualTo(2);
    }

    @Test
    void keysMadeByAnotherGnarkVersionAreRefusedClearly() {
        String other = compile(modelId, credit.quantization());
        JsonNode c = http.awaitStatus("/v1/circuits/" + other, CIRCUIT_DONE, DEADLINE);
        assertThat(c.get("status").asString()).isEqualTo("ready");
        // The keys of this circuit (unique to it: its own setup) now claim another gnark version.
        jdbc.sql("""
                UPDATE artifacts SET versions = jsonb_set(versions, '{gnark}', '"v0.9.0"')
                 WHERE sha256 = (SELECT vk_sha256 FROM circuits WHERE id = ?::uuid)
                    OR sha256 = (SELECT pk_sha256 FROM circuits WHERE id = ?::uuid)
                """).params(other, other).update();

        expectProblem(verification(other, inference.get("proof").asString(), strings(inference.get("publicInputs"))),
                409, "incompatible-artifact")
                .satisfies(p -> assertThat(p.get("detail").asString()).contains("v0.9.0").contains("v0.16."));
        JsonNode failed = http.awaitStatus("/v1/inferences/" + infer(other, credit.input()), INFERENCE_DONE, DEADLINE);
        assertThat(failed.get("status").asString()).isEqualTo("failed");
        assertThat(failed.get("error").asString()).contains("gnark v0.9.0").doesNotContain("Exception");
        assertThat(failed.has("proof")).isFalse();
    }

    @Test
    void aRegressionModelIsProvenWithinItsErrorBound() {
        TestModels.Example eth = TestModels.ethPriceOrNull();
        Assumptions.assumeTrue(eth != null, "examples/eth-price is not in this checkout");
        Response upload = http.postMultipart("/v1/models", Http.parts("file", eth.model(), "format", "tribuo", "name", eth.name()));
        assertThat(upload.status()).isEqualTo(201);
        String c = compile(upload.text("id"), eth.quantization());
        JsonNode ready = http.awaitStatus("/v1/circuits/" + c, CIRCUIT_DONE, DEADLINE);
        assertThat(ready.get("status").asString()).as(ready.toString()).isEqualTo("ready");
        JsonNode done = http.awaitStatus("/v1/inferences/" + infer(c, eth.input()), INFERENCE_DONE, DEADLINE);
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("succeeded");

        JsonNode values = done.get("output").get("values");
        List<String> outputs = strings(upload.json().get("outputs"));
        assertThat(values.propertyNames()).containsExactlyElementsOf(outputs);
        double bound = ready.get("quantization").get("errorBound").asDouble();
        assertThat(done.get("fidelity").get("maxAbsoluteError").asDouble()).isLessThanOrEqualTo(bound);

        List<String> pub = strings(done.get("publicInputs"));
        assertThat(verify(c, done.get("proof").asString(), pub)).isTrue();
        List<String> changed = new ArrayList<>(pub);
        changed.set(pub.size() - 1, new BigInteger(pub.getLast()).add(BigInteger.ONE).toString());
        assertThat(verify(c, done.get("proof").asString(), changed)).isFalse();
    }

    // ---- helpers --------------------------------------------------------------------------

    private String compile(String model, JsonNode quantization) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("provingSystem", "groth16");
        body.put("quantization", quantization);
        Response r = http.postJson("/v1/models/" + model + "/circuits", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        String id = r.text("id");
        assertThat(r.location()).isEqualTo("/v1/circuits/" + id);
        assertThat(r.text("status")).isIn("queued", "compiling", "setting_up", "ready");
        return id;
    }

    private String infer(String circuit, List<Double> input) {
        Response r = http.postJson("/v1/circuits/" + circuit + "/inferences", Map.of("input", input));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.location()).isEqualTo("/v1/inferences/" + r.text("id"));
        assertThat(r.text("status")).isEqualTo("queued");
        assertThat(r.text("phase")).isEqualTo("queued"); // issue 9
        return r.text("id");
    }

    @Test
    void anEndedInferenceIsPhaseDoneAndItsJobWentThroughTheProveHandlersPhases() { // issue 9
        assertThat(inference.get("phase").asString()).as(inference.toString()).isEqualTo("done");
        JsonNode again = http.get("/v1/inferences/" + inference.get("id").asString()).json();
        assertThat(again.get("phase").asString()).isEqualTo("done");
        // the last running phase the handler stored: loading → proving → checking
        String stored = jdbc.sql("SELECT phase FROM inferences WHERE id = ?::uuid")
                .param(inference.get("id").asString()).query(String.class).single();
        assertThat(stored).isEqualTo("checking");
    }

    private boolean verify(String proof, List<String> publicInputs) {
        return verify(circuitId, proof, publicInputs);
    }

    private boolean verify(String circuit, String proof, List<String> publicInputs) {
        Response r = verification(circuit, proof, publicInputs);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("valid").asBoolean();
    }

    private Response verification(String proof, List<String> publicInputs) {
        return verification(circuitId, proof, publicInputs);
    }

    private Response verification(String circuit, String proof, List<String> publicInputs) {
        return http.postJson("/v1/verifications", Map.of("circuitId", circuit, "proof", proof, "publicInputs", publicInputs));
    }

    private static org.assertj.core.api.ObjectAssert<JsonNode> expectProblem(Response r, int status, String type) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).as(r.toString()).startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p.get("type").asString()).isEqualTo("urn:zkml:problem:" + type);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("title").asString()).isNotBlank();
        assertThat(p.get("detail").asString()).isNotBlank();
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("io.zkml.").doesNotContain("\tat ");
        return org.assertj.core.api.Assertions.assertThatObject(p);
    }

    private int count(String table) {
        return jdbc.sql("SELECT count(*) FROM " + table).query(Integer.class).single();
    }

    private static List<String> strings(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asString()));
        return l;
    }

    private static Map<String, Object> range(double min, double max) {
        return Map.of("min", min, "max", max);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new java.util.SplittableRandom(42).nextBytes(b);
        b[0] = 0x7f;
        return b;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
