package io.zkml.api;

import io.zkml.api.testing.TestModels;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zkml.api.testing.Http;
import io.zkml.api.testing.Http.Response;
import io.zkml.api.testing.TestPostgres;

/**
 * ONNX networks through the whole service over real HTTP (issue 6): the tabular MLP classifier and
 * the MLP regressor of testdata/onnx/ are uploaded with {@code format=onnx} (the regressor with a
 * {@code features} field naming its inputs), compiled with calibration on half of their recorded
 * inputs, proven on a recorded input, and verified; a proof with a changed output does not verify.
 * The proven label is ONNX Runtime's.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnnxModelFlowTest {

    private static final Duration DEADLINE = Duration.ofSeconds(180);
    private static final Set<String> CIRCUIT_DONE = Set.of("ready", "failed");
    private static final Set<String> INFERENCE_DONE = Set.of("succeeded", "failed");
    private static final BigInteger R = new BigInteger(
            "21888242871839275222246405745257275088548364400416034343698204186575808495617");
    private static final Path ONNX = TestModels.repositoryRoot().resolve("testdata/onnx");

    @DynamicPropertySource
    static void embeddedPostgres(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
    }

    @LocalServerPort
    int port;

    Http http;

    record Proven(JsonNode model, JsonNode circuit, JsonNode inference, JsonNode expectedCase, JsonNode created) {
    }

    final Map<String, Proven> proven = new LinkedHashMap<>();

    @BeforeAll
    void uploadCompileAndProve() throws Exception {
        http = new Http(port);
        proven.put("mlp-tabular", prove("mlp-tabular", null, Map.of()));
        proven.put("mlp-regressor", prove("mlp-regressor", "temperature, pressure, flow", Map.of()));
        proven.put("scores-argmax", prove("mlp-tabular", null, Map.of("output", "argmax")));
        proven.put("forest", prove("sklearn-random-forest-classifier", null, Map.of())); // issue 6b
        proven.put("cnn-small", prove("cnn-small", null, Map.of())); // issue 6 (CNN)
    }

    /** The tabular MLP without its ArgMax: a graph that ends in its 3 logits (a score vector). */
    static byte[] withoutArgMax(byte[] onnx) throws Exception {
        ai.onnx.proto.OnnxMl.ModelProto m = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(onnx);
        ai.onnx.proto.OnnxMl.GraphProto.Builder g = m.getGraph().toBuilder();
        g.removeNode(g.getNodeCount() - 1);
        g.clearOutput().addOutput(ai.onnx.proto.OnnxMl.ValueInfoProto.newBuilder().setName("logits")
                .setType(ai.onnx.proto.OnnxMl.TypeProto.newBuilder().setTensorType(ai.onnx.proto.OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT_VALUE))));
        return m.toBuilder().setGraph(g).build().toByteArray();
    }

    private Proven prove(String name, String features, Map<String, Object> circuitExtras) throws Exception {
        byte[] model = Files.readAllBytes(ONNX.resolve(name + ".onnx"));
        JsonNode exp = Http.json().readTree(ONNX.resolve(name + ".expected.json").toFile());
        boolean argmax = circuitExtras.containsKey("output");
        Response upload = argmax
                ? http.postMultipart("/v1/models", Http.parts("file", withoutArgMax(model), "format", "onnx", "name", "scores",
                        "labels", "[\"north\",\"south\",\"west\"]"))
                : features == null
                ? http.postMultipart("/v1/models", Http.parts("file", model, "format", "onnx", "name", name))
                : http.postMultipart("/v1/models", Http.parts("file", model, "format", "onnx", "name", name, "features", features));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        JsonNode cases = exp.get("cases");
        List<Object> samples = new ArrayList<>();
        for (int k = 0; k < cases.size() / 2; k++) {
            samples.add(cases.get(k).get("input"));
        }
        int n = cases.get(0).get("input").size();
        List<Map<String, Double>> ranges = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (JsonNode c : cases) {
                min = Math.min(min, c.get("input").get(i).asDouble());
                max = Math.max(max, c.get("input").get(i).asDouble());
            }
            double m = 0.1 * (max - min) + 1e-3;
            ranges.add(Map.of("min", min - m, "max", max + m));
        }
        Map<String, Object> body = new LinkedHashMap<>(circuitExtras);
        body.put("provingSystem", "groth16");
        Map<String, Object> quantization = new LinkedHashMap<>();
        quantization.put("inputRanges", ranges);
        quantization.put("sampleInputs", samples);
        if (name.equals("mlp-regressor")) {
            quantization.put("target", "resources");
            quantization.put("tolerance", 0.5);
        }
        body.put("quantization", quantization);
        Response created = http.postJson("/v1/models/" + upload.text("id") + "/circuits", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        JsonNode circuit = http.awaitStatus("/v1/circuits/" + created.text("id"), CIRCUIT_DONE, DEADLINE);
        assertThat(circuit.get("status").asString()).as(name + ": " + circuit).isEqualTo("ready");
        // a held-out recorded case, by name (a tree fixture's last cases are threshold probes: take its last random one)
        JsonNode c = cases.get(name.contains("forest") ? 119 : cases.size() - 1);
        List<String> names = new ArrayList<>();
        upload.json().get("features").forEach(f -> names.add(f.asString()));
        Map<String, Object> input = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            input.put(names.get(i), c.get("input").get(i).asDouble());
        }
        Response r = http.postJson("/v1/circuits/" + created.text("id") + "/inferences",
                Http.json().writeValueAsString(Map.of("input", input)));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        JsonNode inference = http.awaitStatus("/v1/inferences/" + r.text("id"), INFERENCE_DONE, DEADLINE);
        assertThat(inference.get("status").asString()).as(name + ": " + inference).isEqualTo("succeeded");
        return new Proven(upload.json(), circuit, inference, c, created.json());
    }

    @Test
    void outputArgmaxMakesAScoreNetworkAClassifierWithTheUploadedLabels() {
        Proven p = proven.get("scores-argmax");
        assertThat(p.model().get("task").asString()).isEqualTo("regression");
        assertThat(strings(p.model().get("outputs"))).hasSize(3);
        int ort = p.expectedCase().get("label").get(0).asInt();
        assertThat(p.inference().get("output").get("label").asString()).isEqualTo(List.of("north", "south", "west").get(ort));
        assertThat(p.inference().get("fidelity").get("labelsAgree").asBoolean()).isTrue();
        assertThat(p.circuit().get("constraintsByOp").has("argmax")).isTrue();
    }

    /** issue 6 (CNN): the small CNN (Conv+BN, MaxPool, AveragePool, GlobalAveragePool, Gemm) end to end. */
    @Test
    void anOnnxCnnIsProvenWithConvAndPoolOpsAndItsLabelIsOnnxRuntimes() throws Exception {
        Proven p = proven.get("cnn-small");
        assertThat(p.model().get("family").asString()).isEqualTo("mlp");
        assertThat(p.model().get("task").asString()).isEqualTo("classification");
        assertThat(p.model().get("features").size()).isEqualTo(64);
        assertThat(p.inference().get("output").get("label").asString())
                .isEqualTo(p.expectedCase().get("label").get(0).asString());
        JsonNode byOp = p.circuit().get("constraintsByOp");
        assertThat(byOp.has("conv2d")).as(byOp.toString()).isTrue();
        assertThat(byOp.get("conv2d").asInt()).as("a convolution is a linear combination").isZero();
        assertThat(byOp.get("maxpool2d").asInt()).isPositive();
        assertThat(byOp.has("avgpool2d")).isTrue();
        // one entry per stage (the BatchNormalization folded into its Conv): conv, relu, maxpool, avgpool, conv, relu, gap, gemm
        assertThat(p.circuit().get("quantization").get("network").get("layers").size()).isEqualTo(8);
        // hashed weights cover dense layers only: a CNN is refused at POST (422), no circuit stored
        String cnnModel = p.model().get("id").asString();
        int before = http.get("/v1/circuits?modelId=" + cnnModel).json().get("items").size();
        Response hashed = http.postJson("/v1/models/" + cnnModel + "/circuits", Map.of("visibility", Map.of("weights", "hashed")));
        assertThat(hashed.status()).as(hashed.toString()).isEqualTo(422);
        assertThat(hashed.json().get("type").asString()).endsWith("unsupported-visibility");
        assertThat(hashed.json().get("detail").asString()).contains("convolutional");
        assertThat(http.get("/v1/circuits?modelId=" + cnnModel).json().get("items").size()).isEqualTo(before);
        // an unsupported attribute: 422 unsupported-operator naming the node and the attribute, nothing stored
        ai.onnx.proto.OnnxMl.ModelProto m = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(Files.readAllBytes(ONNX.resolve("cnn-small.onnx")));
        ai.onnx.proto.OnnxMl.GraphProto.Builder g = m.getGraph().toBuilder();
        g.setNode(0, g.getNode(0).toBuilder().clearAttribute().addAttribute(ai.onnx.proto.OnnxMl.AttributeProto.newBuilder()
                .setName("dilations").setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.INTS).addInts(2).addInts(2)));
        Response r = http.postMultipart("/v1/models", Http.parts("file", m.toBuilder().setGraph(g).build().toByteArray(),
                "format", "onnx", "name", "dilated"));
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.json().get("type").asString()).endsWith("unsupported-operator");
        assertThat(r.json().get("detail").asString()).contains("/conv1/Conv").contains("dilations");
    }

    @Test
    void theCircuitShowsItsOutputModeAndTheModelItsLabels() {
        Proven p = proven.get("scores-argmax");
        assertThat(p.created().get("output").asString()).isEqualTo("argmax");
        assertThat(p.circuit().get("output").asString()).isEqualTo("argmax");
        assertThat(strings(p.model().get("labels"))).containsExactly("north", "south", "west");
        Response model = http.get("/v1/models/" + p.model().get("id").asString());
        assertThat(model.status()).as(model.toString()).isEqualTo(200);
        assertThat(strings(model.json().get("labels"))).containsExactly("north", "south", "west");
        Proven plain = proven.get("mlp-tabular");
        assertThat(plain.created().has("output")).isFalse();
        assertThat(plain.circuit().has("output")).isFalse();
        JsonNode plainModel = http.get("/v1/models/" + plain.model().get("id").asString()).json();
        assertThat(plainModel.get("labels") == null || plainModel.get("labels").isNull()).as(plainModel.toString()).isTrue();
    }

    @Test
    void outputArgmaxIsRefusedForAModelWithOneScoreAndLabelsMustFit() throws Exception {
        String reg = proven.get("mlp-regressor").model().get("id").asString();
        Response r = http.postJson("/v1/models/" + reg + "/circuits", Map.of("output", "argmax"));
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.json().get("detail").asString()).contains("argmax");
        Response bad = http.postJson("/v1/models/" + reg + "/circuits", Map.of("output", "softmax"));
        assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
        byte[] model = Files.readAllBytes(ONNX.resolve("mlp-tabular.onnx"));
        Response labels = http.postMultipart("/v1/models", Http.parts("file", model, "format", "onnx", "labels", "a,b"));
        assertThat(labels.status()).as(labels.toString()).isEqualTo(400);
        assertThat(labels.json().get("detail").asString()).contains("labels");
    }

    @Test
    void anOnnxUploadIsAnMlpWithNamedInputs() {
        JsonNode tab = proven.get("mlp-tabular").model();
        assertThat(tab.get("format").asString()).isEqualTo("onnx");
        assertThat(tab.get("family").asString()).isEqualTo("mlp");
        assertThat(tab.get("task").asString()).isEqualTo("classification");
        assertThat(strings(tab.get("features"))).containsExactly("X[0]", "X[1]", "X[2]", "X[3]");
        assertThat(strings(tab.get("outputs"))).containsExactly("0", "1", "2");
        JsonNode reg = proven.get("mlp-regressor").model();
        assertThat(reg.get("task").asString()).isEqualTo("regression");
        assertThat(strings(reg.get("features"))).containsExactly("temperature", "pressure", "flow");
    }

    @Test
    void anOnnxTreeEnsembleIsAnEnsembleWhoseProvenLabelIsOnnxRuntimes() {
        Proven f = proven.get("forest");
        assertThat(f.model().get("family").asString()).isEqualTo("ensemble");
        assertThat(f.model().get("task").asString()).isEqualTo("classification");
        assertThat(strings(f.model().get("outputs"))).containsExactly("high", "low", "medium");
        assertThat(f.circuit().get("constraintsByOp").has("split_bits")).isTrue();
        assertThat(f.inference().get("output").get("label").asString())
                .isEqualTo(f.expectedCase().get("output_label").get(0).asString());
    }

    @Test
    void theCircuitReportsItsCalibrationAndConstraintsPerLayer() {
        for (Map.Entry<String, Proven> e : proven.entrySet()) {
            JsonNode c = e.getValue().circuit();
            if (e.getKey().equals("scores-argmax") || e.getKey().equals("forest")) {
                continue;
            }
            JsonNode network = c.get("quantization").get("network");
            assertThat(network).as(e.getKey() + ": " + c).isNotNull();
            assertThat(network.get("constraints").asInt()).as("estimate = gnark's count").isEqualTo(c.get("constraints").asInt());
            assertThat(network.get("calibration").get("candidates").size()).isGreaterThan(1);
            assertThat(network.get("calibration").get("samples").asInt()).isPositive();
            assertThat(c.get("constraintsByOp").has("relu")).isTrue();
            assertThat(c.get("constraintsByOp").has("rescale")).isTrue();
        }
        JsonNode cal = proven.get("mlp-regressor").circuit().get("quantization").get("network").get("calibration");
        assertThat(cal.get("target").asString()).isEqualTo("resources");
        assertThat(cal.get("tolerance").asDouble()).isEqualTo(0.5);
        assertThat(proven.get("mlp-tabular").circuit().get("quantization").get("network").get("calibration")
                .get("target").asString()).isEqualTo("accuracy");
    }

    @Test
    void theProvenOutputIsOnnxRuntimesAndOnlyTheTrueOutputVerifies() {
        Proven tab = proven.get("mlp-tabular");
        assertThat(tab.inference().get("output").get("label").asString())
                .isEqualTo(tab.expectedCase().get("label").get(0).asString());
        assertThat(tab.inference().get("fidelity").get("labelsAgree").asBoolean()).isTrue();
        Proven reg = proven.get("mlp-regressor");
        double y = reg.inference().get("output").get("values").get("y").asDouble();
        double ort = reg.expectedCase().get("y").get(0).asDouble();
        double bound = reg.circuit().get("quantization").get("errorBound").asDouble();
        assertThat(Math.abs(y - ort)).isLessThanOrEqualTo(bound + 1e-4 * Math.max(1, Math.abs(ort)));
        for (Map.Entry<String, Proven> e : proven.entrySet()) {
            JsonNode inf = e.getValue().inference();
            List<String> pub = strings(inf.get("publicInputs"));
            String circuit = e.getValue().circuit().get("id").asString();
            assertThat(verify(circuit, inf.get("proof").asString(), pub)).as(e.getKey()).isTrue();
            List<String> other = new ArrayList<>(pub);
            other.set(other.size() - 1, new BigInteger(other.getLast()).add(BigInteger.ONE).mod(R).toString());
            assertThat(verify(circuit, inf.get("proof").asString(), other)).as(e.getKey() + ", changed output").isFalse();
        }
    }

    @Test
    void featureNamesThatDoNotFitAreRefusedAndNothingIsStored() throws Exception {
        byte[] model = Files.readAllBytes(ONNX.resolve("mlp-regressor.onnx"));
        Response r = http.postMultipart("/v1/models", Http.parts("file", model, "format", "onnx", "features", "[\"a\",\"b\"]"));
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.json().get("type").asString()).endsWith("invalid-request");
        assertThat(r.json().get("detail").asString()).contains("features");
        Response unsupported = http.postMultipart("/v1/models",
                Http.parts("file", Files.readAllBytes(ONNX.resolve("unsupported-ops.onnx")), "format", "onnx"));
        assertThat(unsupported.status()).as(unsupported.toString()).isEqualTo(422);
        assertThat(unsupported.json().get("type").asString()).endsWith("unsupported-operator");
        assertThat(unsupported.json().get("detail").asString()).contains("Erf", "gate", "Softplus", "squash", "Elu", "elu");
    }

    @Test
    void aTreeEnsembleWithAnEqualityBranchIsRefusedNamingTheNodeAndMode() throws Exception {
        ai.onnx.proto.OnnxMl.ModelProto m = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(
                Files.readAllBytes(ONNX.resolve("xgboost-classifier.onnx")));
        ai.onnx.proto.OnnxMl.GraphProto.Builder g = m.getGraph().toBuilder();
        ai.onnx.proto.OnnxMl.NodeProto.Builder n = g.getNode(0).toBuilder().setName("xgb_trees");
        for (int i = 0; i < n.getAttributeCount(); i++) {
            if (n.getAttribute(i).getName().equals("nodes_modes")) {
                n.setAttribute(i, n.getAttribute(i).toBuilder().setStrings(0, com.google.protobuf.ByteString.copyFromUtf8("BRANCH_EQ")));
            }
        }
        byte[] bad = m.toBuilder().setGraph(g.setNode(0, n)).build().toByteArray();
        int before = http.get("/v1/models?limit=100").json().get("items").size();
        Response r = http.postMultipart("/v1/models", Http.parts("file", bad, "format", "onnx", "name", "eq"));
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.json().get("type").asString()).endsWith("unsupported-operator");
        assertThat(r.json().get("detail").asString()).contains("xgb_trees", "BRANCH_EQ");
        assertThat(r.json().get("operators").get(0).get("node").asString()).isEqualTo("xgb_trees");
        assertThat(http.get("/v1/models?limit=100").json().get("items").size()).as("nothing stored").isEqualTo(before);
    }

    private boolean verify(String circuit, String proof, List<String> publicInputs) {
        Response r = http.postJson("/v1/verifications", Map.of("circuitId", circuit, "proof", proof, "publicInputs", publicInputs));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("valid").asBoolean();
    }

    private static List<String> strings(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asString()));
        return l;
    }

}
