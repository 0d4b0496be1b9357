package io.zkml.compiler;

import io.zkml.compiler.ir.IrOp;
import io.zkml.compiler.ir.ops.ArgmaxOp;
import io.zkml.compiler.ir.ops.DenseOp;
import io.zkml.compiler.ir.ops.ReluOp;
import io.zkml.compiler.ir.ops.RescaleOp;
import io.zkml.compiler.model.ImportedModel;
import io.zkml.compiler.model.ModelFamily;
import io.zkml.compiler.model.NetworkStructure;
import io.zkml.compiler.onnx.OnnxModel;
import io.zkml.compiler.onnx.OnnxModelReader;
import io.zkml.compiler.tribuo.FloatPrediction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Networks (the ONNX fixtures of testdata/onnx/, ONNX Runtime's outputs recorded there): the
 * calibrated circuit agrees with ONNX Runtime within its stated error bound, labels agree, every
 * candidate is reported, the fast calibration evaluator equals the reference evaluator, and
 * overflow, impossible targets and bad requests are refused with their reason.
 */
class NetworkCompilerTest {

    static final Path DIR = Path.of("..", "testdata", "onnx");

    /** ONNX Runtime computes in float32: |ORT − exact| ≤ this · max(1, |value|) on these models. */
    static final double FLOAT32 = 1e-5;

    static OnnxModel model(String name) throws Exception {
        return OnnxModelReader.read(Files.readAllBytes(DIR.resolve(name + ".onnx")), null);
    }

    static JsonNode expected(String name) throws Exception {
        return JsonMapper.builder().build().readTree(DIR.resolve(name + ".expected.json").toFile());
    }

    static double[] doubles(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i).asDouble();
        }
        return d;
    }

    /** The first half of the recorded cases calibrates; the second half is held out. */
    static List<double[]> inputs(JsonNode exp, boolean calibration) {
        List<double[]> out = new ArrayList<>();
        JsonNode cases = exp.get("cases");
        int half = cases.size() / 2;
        for (int k = calibration ? 0 : half; k < (calibration ? half : cases.size()); k++) {
            out.add(doubles(cases.get(k).get("input")));
        }
        return out;
    }

    /** Ranges that contain every recorded case (held-out ones too): the samples' ranges, widened to all cases. */
    static List<FeatureRange> ranges(JsonNode exp) {
        List<double[]> all = new ArrayList<>(inputs(exp, true));
        all.addAll(inputs(exp, false));
        int n = all.getFirst().length;
        List<FeatureRange> r = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (double[] x : all) {
                min = Math.min(min, x[i]);
                max = Math.max(max, x[i]);
            }
            r.add(CircuitCompiler.widen(min, max));
        }
        return r;
    }

    /** Compiled once per model for the tests that use the default calibration (the 784-56-10 MLP takes seconds). */
    static final Map<String, CompiledCircuit> COMPILED = new java.util.concurrent.ConcurrentHashMap<>();

    static CompiledCircuit compiled(String name) throws Exception {
        CompiledCircuit c = COMPILED.get(name);
        if (c == null) {
            c = CircuitCompiler.compile(model(name), name, null, calibrated(expected(name)));
            COMPILED.put(name, c);
        }
        return c;
    }

    static QuantizationSettings calibrated(JsonNode exp) {
        return new QuantizationSettings(null, null, ranges(exp), inputs(exp, true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp-tabular", "mlp-softmax", "mlp-regressor", "mnist-mlp-784-56-10", "mlp-activations", "sklearn-mlp-classifier"})
    void the_circuit_agrees_with_onnx_runtime_within_its_error_bound(String name) throws Exception {
        OnnxModel m = model(name);
        JsonNode exp = expected(name);
        CompiledCircuit c = compiled(name);
        QuantizationReport q = c.quantization();
        assertThat(q.network()).isNotNull();
        assertThat(q.errorBound()).isNotNull().isPositive();
        boolean classification = m.task() == Task.CLASSIFICATION;
        String scoreKey = classification ? exp.get("scores").asString() : exp.get("outputs").get(0).asString();
        String labelKey = exp.get("outputs").get(0).asString();
        String scoreTensor = classification ? "scores" : "y";
        int agree = 0;
        int cases = 0;
        for (JsonNode cs : exp.get("cases")) {
            double[] x = doubles(cs.get("input"));
            List<BigInteger> qx = c.quantizeInput(x);
            Map<String, List<BigInteger>> all = io.zkml.compiler.ir.ReferenceEvaluator.evaluateAll(c.ir(), qx);
            int scale = c.ir().requireTensor(scoreTensor).scale();
            double[] ort = doubles(cs.get(scoreKey));
            List<BigInteger> scores = all.get(scoreTensor);
            for (int j = 0; j < ort.length; j++) {
                double circuit = Quantizer.dequantize(scores.get(j), scale);
                assertThat(Math.abs(circuit - ort[j])).as("%s case %d score %d", name, cases, j)
                        .isLessThanOrEqualTo(q.errorBound() + FLOAT32 * Math.max(1, Math.abs(ort[j])));
            }
            CircuitOutput out = c.predict(x);
            if (classification) {
                boolean same = out.label().equals(cs.get(labelKey).get(0).asString());
                if (same) {
                    agree++;
                }
                double[] sorted = ort.clone();
                java.util.Arrays.sort(sorted);
                if (sorted[sorted.length - 1] - sorted[sorted.length - 2] > 2 * q.errorBound() + 1e-4) {
                    assertThat(same).as("%s case %d: the margin exceeds twice the bound, so the label is ONNX Runtime's", name, cases)
                            .isTrue();
                }
            }
            cases++;
        }
        if (classification && !name.equals("mlp-activations") && !name.equals("sklearn-mlp-classifier")) {
            // the bar (>= 99.5 %) on the synthetic MLPs; the activations model (random weights) and the
            // scikit-learn export (118 of 120: held-out inputs near a class boundary, the cheapest candidate that
            // agrees on every calibration sample) are held to the margin rule above
            assertThat(agree).as("label agreement with ONNX Runtime, %s", name).isGreaterThanOrEqualTo((int) Math.ceil(0.995 * cases));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp-tabular", "mlp-softmax", "mlp-regressor", "mnist-mlp-784-56-10", "mlp-activations", "sklearn-mlp-classifier"})
    void every_candidate_is_reported_and_the_fast_evaluator_is_the_reference(String name) throws Exception {
        OnnxModel m = model(name);
        JsonNode exp = expected(name);
        QuantizationSettings s = calibrated(exp);
        CompiledCircuit c = compiled(name);
        QuantizationReport.Calibration cal = c.quantization().network().calibration();
        assertThat(cal.samples()).isEqualTo(s.sampleInputs().size());
        assertThat(cal.candidates()).hasSizeGreaterThan(1);
        assertThat(cal.candidates().stream().filter(QuantizationReport.Candidate::chosen)).hasSize(1);
        assertThat(cal.candidates()).allSatisfy(k -> assertThat(k.why()).isNotBlank());
        QuantizationReport.Candidate chosen = cal.candidates().stream().filter(QuantizationReport.Candidate::chosen).findFirst().orElseThrow();
        assertThat(chosen.why()).startsWith("chosen");
        assertThat(c.quantization().network().constraints()).isEqualTo(chosen.constraints());
        if (m.task() == Task.CLASSIFICATION) {
            assertThat(cal.targetMet()).isTrue();
            assertThat(chosen.labelAgreement()).isEqualTo(1.0);
            // accuracy: the cheapest of those that agree on every sample
            cal.candidates().stream().filter(k -> k.labelAgreement() != null && k.labelAgreement() == 1.0)
                    .forEach(k -> assertThat(k.constraints()).isGreaterThanOrEqualTo(chosen.constraints()));
        }
        // The ops are the documented chain.
        List<String> ops = c.ir().ops().stream().map(IrOp::op).toList();
        assertThat(ops.getFirst()).isEqualTo(DenseOp.NAME);
        assertThat(ops).contains(DenseOp.NAME);
        if (m.task() == Task.CLASSIFICATION) {
            assertThat(ops.getLast()).isEqualTo(ArgmaxOp.NAME);
            assertThat(ops).contains(ReluOp.NAME, RescaleOp.NAME);
        }
        // The calibration's long evaluation equals the reference evaluator on every sample.
        NetworkCompiler.Scales scales = new NetworkCompiler.Scales(null, null, c.quantization().inputScale(),
                chosen.weightScales().stream().mapToInt(Integer::intValue).toArray(),
                chosen.outputScales().stream().mapToInt(Integer::intValue).toArray());
        CircuitCompiler.RangeChoice rc = new CircuitCompiler.RangeChoice(s.inputRanges(), "declared");
        NetworkCompiler.Built b = NetworkCompiler.build(m.structure(), scales, rc, m.task());
        NetworkCompiler.Plan plan = NetworkCompiler.Plan.of(b.graph());
        assertThat(plan).isNotNull();
        String scoreTensor = m.task() == Task.CLASSIFICATION ? "scores" : "y";
        for (double[] x : s.sampleInputs()) {
            List<BigInteger> qx = c.quantizeInput(x);
            long[] fast = plan.run(qx.stream().mapToLong(BigInteger::longValueExact).toArray());
            List<BigInteger> ref = io.zkml.compiler.ir.ReferenceEvaluator.evaluateAll(c.ir(), qx).get(scoreTensor);
            assertThat(java.util.Arrays.stream(fast).mapToObj(BigInteger::valueOf).toList()).isEqualTo(ref);
        }
    }

    @Test
    void the_resources_target_is_never_more_expensive_and_stays_within_its_tolerance() throws Exception {
        OnnxModel m = model("mlp-softmax");
        JsonNode exp = expected("mlp-softmax");
        CompiledCircuit acc = CircuitCompiler.compile(m, "a", null, calibrated(exp));
        CompiledCircuit res = CircuitCompiler.compile(m, "r", null, calibrated(exp).withTarget("resources", 0.05));
        QuantizationReport.Calibration cal = res.quantization().network().calibration();
        assertThat(cal.target()).isEqualTo("resources");
        assertThat(cal.tolerance()).isEqualTo(0.05);
        assertThat(res.quantization().network().constraints()).isLessThanOrEqualTo(acc.quantization().network().constraints());
        QuantizationReport.Candidate chosen = cal.candidates().stream().filter(QuantizationReport.Candidate::chosen).findFirst().orElseThrow();
        assertThat(chosen.labelAgreement()).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void an_impossible_resources_target_for_a_regression_says_why() throws Exception {
        OnnxModel m = model("mlp-regressor");
        JsonNode exp = expected("mlp-regressor");
        assertThatThrownBy(() -> CircuitCompiler.compile(m, "r", null, calibrated(exp).withTarget("resources", 0.0)))
                .isInstanceOf(CompilationException.class)
                .hasMessageContaining("calibration failed")
                .hasMessageContaining("quantization.tolerance");
    }

    @Test
    void without_samples_the_default_budget_is_used_and_reported() throws Exception {
        OnnxModel m = model("mlp-tabular");
        JsonNode exp = expected("mlp-tabular");
        CompiledCircuit c = CircuitCompiler.compile(m, "t", null, new QuantizationSettings(null, null, ranges(exp), null));
        QuantizationReport.Calibration cal = c.quantization().network().calibration();
        assertThat(cal.samples()).isZero();
        assertThat(cal.candidates()).hasSize(1);
        assertThat(cal.reason()).contains("not calibrated");
        assertThat(c.quantization().rangeSource()).isEqualTo("declared");
    }

    @Test
    void without_ranges_or_samples_it_asks_for_them() throws Exception {
        assertThatThrownBy(() -> CircuitCompiler.compile(model("mlp-tabular"), "t", null, QuantizationSettings.defaults()))
                .isInstanceOf(CompilationException.class).hasMessageContaining("inputRanges");
    }

    @Test
    void requested_scales_are_one_candidate() throws Exception {
        OnnxModel m = model("mlp-tabular");
        JsonNode exp = expected("mlp-tabular");
        CompiledCircuit c = CircuitCompiler.compile(m, "t", null, calibrated(exp).withScales(7, 9));
        assertThat(c.quantization().inputScale()).isEqualTo(7);
        assertThat(c.quantization().network().layers()).allSatisfy(l -> assertThat(l.weightScale()).isEqualTo(9));
        assertThat(c.quantization().network().calibration().candidates()).hasSize(1);
    }

    @Test
    void overflow_names_the_layer_and_the_bound() throws Exception {
        OnnxModel m = model("mlp-tabular");
        List<FeatureRange> huge = List.of(new FeatureRange(-1e30, 1e30), new FeatureRange(-1e30, 1e30),
                new FeatureRange(-1e30, 1e30), new FeatureRange(-1e30, 1e30));
        assertThatThrownBy(() -> CircuitCompiler.compile(m, "t", null, new QuantizationSettings(64, 128, huge, null)))
                .isInstanceOf(CompilationException.class)
                .hasMessageContaining("overflow")
                .hasMessageContaining("layer 0")
                .hasMessageContaining("2^248");
    }

    @Test
    void samples_outside_declared_ranges_are_refused() throws Exception {
        OnnxModel m = model("mlp-tabular");
        List<FeatureRange> r = List.of(new FeatureRange(0, 1), new FeatureRange(0, 1), new FeatureRange(0, 1), new FeatureRange(0, 1));
        assertThatThrownBy(() -> CircuitCompiler.compile(m, "t", null,
                new QuantizationSettings(null, null, r, List.of(new double[]{0.5, 2, 0.5, 0.5}))))
                .isInstanceOf(CompilationException.class).hasMessageContaining("sampleInputs[0][1]").hasMessageContaining("X[1]");
    }

    /** A score network (no argmax) with 3 scores: {@code "output": "argmax"} makes it a classifier over given labels. */
    record ScoreNetwork(NetworkStructure structure) implements ImportedModel {
        public String format() { return "onnx"; }
        public String modelClass() { return "test.ScoreNetwork"; }
        public Task task() { return Task.REGRESSION; }
        public ModelFamily family() { return ModelFamily.MLP; }
        public int memberCount() { return 1; }
        public int maxDepth() { return 0; }
        public List<String> features() { return List.of("a", "b"); }
        public List<String> outputs() { return List.of("s0", "s1", "s2"); }
        public double[][] weights() { throw new UnsupportedOperationException(); }
        public double[] biases() { throw new UnsupportedOperationException(); }
        public List<FeatureRange> trainingRanges() { return List.of(new FeatureRange(-2, 2), new FeatureRange(-2, 2)); }
        public FloatPrediction predict(double[] input) { return new FloatPrediction(null, Map.of()); }
    }

    static NetworkStructure scoreNet() {
        return new NetworkStructure(2, List.of(
                new NetworkStructure.Layer(new double[][]{{1, -1}, {0.5, 0.25}, {-1, 1}, {0.75, -0.5}}, new double[]{0, 0.1, -0.1, 0.2}, true, "h"),
                new NetworkStructure.Layer(new double[][]{{1, 0, 0, 0.5}, {0, 1, 0, -0.5}, {0, 0, 1, 0.25}}, new double[]{0, 0, 0}, false, "out")),
                false);
    }

    @Test
    void output_argmax_makes_a_score_network_a_classifier_with_the_given_labels() throws Exception {
        ScoreNetwork m = new ScoreNetwork(scoreNet());
        CompiledCircuit reg = CircuitCompiler.compile(m, "s", null, QuantizationSettings.defaults());
        assertThat(reg.task()).isEqualTo(Task.REGRESSION);
        assertThat(reg.outputs()).containsExactly("s0", "s1", "s2");
        CompiledCircuit cls = CircuitCompiler.compile(m, "s", null, QuantizationSettings.defaults(), true, List.of("cat", "dog", "owl"));
        assertThat(cls.task()).isEqualTo(Task.CLASSIFICATION);
        assertThat(cls.outputs()).containsExactly("cat", "dog", "owl");
        java.util.Random r = new java.util.Random(6);
        for (int k = 0; k < 200; k++) {
            double[] x = {r.nextDouble() * 4 - 2, r.nextDouble() * 4 - 2};
            double[] f = scoreNet().evaluate(x);
            int best = NetworkCompiler.argmax(f);
            double second = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < f.length; j++) {
                if (j != best) {
                    second = Math.max(second, f[j]);
                }
            }
            // wherever the float margin exceeds twice the bound, the label is the float model's
            if (f[best] - second > 2 * cls.quantization().errorBound()) {
                assertThat(cls.predict(x).label()).isEqualTo(List.of("cat", "dog", "owl").get(best));
            }
        }
        CompiledCircuit idx = CircuitCompiler.compile(m, "s", null, QuantizationSettings.defaults(), true, null);
        assertThat(idx.outputs()).containsExactly("s0", "s1", "s2");
        assertThatThrownBy(() -> CircuitCompiler.compile(m, "s", null, QuantizationSettings.defaults(), true, List.of("a", "b")))
                .isInstanceOf(CompilationException.class).hasMessageContaining("labels");
    }

    @Test
    void output_argmax_is_refused_for_linear_models() {
        FixedLinearModel lin = new FixedLinearModel(Task.REGRESSION, List.of("a"), List.of("y"), new double[][]{{1}},
                new double[]{0}, List.of(new FeatureRange(0, 1)));
        assertThatThrownBy(() -> CircuitCompiler.compile(lin, "l", null, null, true, null))
                .isInstanceOf(CompilationException.class).hasMessageContaining("networks");
    }

    @Test
    void the_same_model_and_settings_give_the_same_bytes() throws Exception {
        OnnxModel m = model("mlp-softmax");
        JsonNode exp = expected("mlp-softmax");
        byte[] a = CircuitCompiler.compile(m, "x", "ab".repeat(32), calibrated(exp)).irJson();
        byte[] b = CircuitCompiler.compile(model("mlp-softmax"), "x", "ab".repeat(32), calibrated(exp)).irJson();
        assertThat(a).isEqualTo(b);
        assertThat(CompiledCircuit.fromIr(a).ir().source().format()).isEqualTo("onnx");
    }
}
