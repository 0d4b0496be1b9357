package io.zkml.compiler.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.FeatureRange;
import io.zkml.compiler.QuantizationSettings;
import io.zkml.compiler.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The project's float evaluator of an imported ONNX graph agrees with ONNX Runtime (its Java
 * package, test scope only: the service never hands ONNX bytes to native code) to 1e-5 on every
 * test model: the testdata/onnx fixtures on their recorded inputs and on seeded random ones, and
 * the ai.onnx.ml linear models of {@link OnnxLinearModelsTest}, whose labels (including the binary
 * one-score rule) must be ONNX Runtime's. The calibrated circuit's labels agree with ONNX Runtime
 * wherever the score margin exceeds twice its error bound.
 */
class OnnxRuntimeAgreementTest {

    static OrtEnvironment env;

    @BeforeAll
    static void start() {
        env = OrtEnvironment.getEnvironment();
    }

    @AfterAll
    static void stop() {
        // the environment is a process-wide singleton; sessions are closed per model
    }

    /** ONNX Runtime's outputs for one input, by output name: float arrays, or label strings. */
    static Map<String, Object> run(OrtSession s, double[] x) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        String in = s.getInputNames().iterator().next();
        NodeInfo info = s.getInputInfo().get(in);
        long[] shape = ((TensorInfo) info.getInfo()).getShape().clone();
        long rest = 1;
        for (int i = 1; i < shape.length; i++) {
            rest *= shape[i];
        }
        shape[0] = 1;
        assertThat(rest).isEqualTo(x.length);
        float[] f = new float[x.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) x[i];
        }
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(f), shape); OrtSession.Result r = s.run(Map.of(in, t))) {
            for (Map.Entry<String, OnnxValue> e : r) {
                Object v = e.getValue().getValue();
                if (v instanceof float[][] m) {
                    double[] d = new double[m[0].length];
                    for (int j = 0; j < d.length; j++) {
                        d[j] = m[0][j];
                    }
                    out.put(e.getKey(), d);
                } else if (v instanceof long[] l) {
                    out.put(e.getKey(), Long.toString(l[0]));
                } else if (v instanceof long[][] l) {
                    out.put(e.getKey(), Long.toString(l[0][0]));
                } else if (v instanceof String[] st) {
                    out.put(e.getKey(), st[0]);
                }
            }
        }
        return out;
    }

    /** The model with its scores tensor (an intermediate) as an extra graph output. */
    static byte[] withOutput(byte[] onnx, String name) throws Exception {
        ModelProto m = ModelProto.parseFrom(onnx);
        return m.toBuilder().setGraph(m.getGraph().toBuilder().addOutput(ValueInfoProto.newBuilder().setName(name))).build().toByteArray();
    }

    static void close(double ours, double ort, String what) {
        assertThat(Math.abs(ours - ort)).as("%s: ours %s, ONNX Runtime %s", what, ours, ort)
                .isLessThanOrEqualTo(1e-5 * Math.max(1, Math.abs(ort)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp-tabular", "mlp-softmax", "mlp-regressor", "mnist-mlp-784-56-10", "mlp-activations", "sklearn-mlp-classifier"})
    void the_float_evaluator_and_the_circuit_agree_with_onnx_runtime(String name) throws Exception {
        byte[] bytes = OnnxModelReaderTest.bytes(name);
        JsonNode exp = OnnxModelReaderTest.expected(name);
        OnnxModel m = OnnxModelReader.read(bytes, null);
        String scores = exp.get("scores").isNull() ? exp.get("outputs").get(0).asString() : exp.get("scores").asString();
        String label = exp.get("outputs").get(0).asString();
        byte[] probe = exp.get("scores").isNull() ? bytes : withOutput(bytes, scores);
        List<double[]> inputs = new ArrayList<>();
        exp.get("cases").forEach(c -> inputs.add(OnnxModelReaderTest.doubles(c.get("input"))));
        int n = inputs.getFirst().length;
        // seeded random inputs inside the recorded ranges too
        double[] lo = new double[n];
        double[] hi = new double[n];
        java.util.Arrays.fill(lo, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(hi, Double.NEGATIVE_INFINITY);
        for (double[] x : inputs) {
            for (int i = 0; i < n; i++) {
                lo[i] = Math.min(lo[i], x[i]);
                hi[i] = Math.max(hi[i], x[i]);
            }
        }
        Random r = new Random(20261202L);
        int recorded = inputs.size();
        for (int k = 0; k < 20; k++) {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (lo[i] + r.nextDouble() * (hi[i] - lo[i]));
            }
            inputs.add(x);
        }
        List<FeatureRange> ranges = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ranges.add(new FeatureRange(lo[i] - 0.1 * (hi[i] - lo[i]) - 1e-3, hi[i] + 0.1 * (hi[i] - lo[i]) + 1e-3));
        }
        CompiledCircuit c = CircuitCompiler.compile(m, name, null,
                new QuantizationSettings(null, null, ranges, inputs.subList(0, recorded / 2)));
        double bound = c.quantization().errorBound();
        int agree = 0;
        int decided = 0;
        try (OrtSession s = env.createSession(probe, new OrtSession.SessionOptions())) {
            for (int k = 0; k < inputs.size(); k++) {
                double[] x = inputs.get(k);
                Map<String, Object> ort = run(s, x);
                double[] want = (double[]) ort.get(scores);
                double[] ours = m.structure().evaluate(x);
                for (int j = 0; j < want.length; j++) {
                    close(ours[j], want[j], name + " input " + k + " score " + j);
                }
                if (m.task() == Task.CLASSIFICATION) {
                    assertThat(m.predict(x).label()).isEqualTo(ort.get(label));
                    double[] sorted = want.clone();
                    java.util.Arrays.sort(sorted);
                    if (sorted[sorted.length - 1] - sorted[sorted.length - 2] > 2 * bound + 1e-4) {
                        decided++;
                        if (c.predict(x).label().equals(ort.get(label))) {
                            agree++;
                        }
                    }
                } else {
                    double y = c.predict(x).values().values().iterator().next();
                    assertThat(Math.abs(y - want[0])).isLessThanOrEqualTo(bound + 1e-5 * Math.max(1, Math.abs(want[0])));
                }
            }
        }
        assertThat(agree).as("labels where the margin exceeds twice the bound").isEqualTo(decided);
    }

    @Test
    void the_linear_models_labels_and_scores_are_onnx_runtimes() throws Exception {
        Random r = new Random(7);
        byte[] multi = OnnxLinearModelsTest.multiclass();
        byte[] binary = OnnxLinearModelsTest.binary();
        byte[] regressor = OnnxLinearModelsTest.regressor();
        byte[] reluOut = OnnxLinearModelsTest.reluOutput();
        OnnxModel mo = OnnxModelReader.read(reluOut, null);
        try (OrtSession so = env.createSession(reluOut, new OrtSession.SessionOptions())) {
            for (int k = 0; k < 100; k++) {
                double[] x = {(float) (r.nextDouble() * 4 - 2), (float) (r.nextDouble() * 4 - 2)};
                double[] y = (double[]) run(so, x).get("y");
                double[] ours = mo.structure().evaluate(x);
                for (int j = 0; j < y.length; j++) {
                    close(ours[j], y[j], "relu output " + j);
                }
            }
        }
        OnnxModel mm = OnnxModelReader.read(multi, null);
        OnnxModel mb = OnnxModelReader.read(binary, null);
        OnnxModel mr = OnnxModelReader.read(regressor, null);
        try (OrtSession sm = env.createSession(multi, new OrtSession.SessionOptions());
             OrtSession sb = env.createSession(binary, new OrtSession.SessionOptions());
             OrtSession sr = env.createSession(regressor, new OrtSession.SessionOptions())) {
            for (int k = 0; k < 200; k++) {
                double[] x3 = {(float) (r.nextDouble() * 4 - 2), (float) (r.nextDouble() * 4 - 2), (float) (r.nextDouble() * 4 - 2)};
                assertThat(mm.predict(x3).label()).as("multiclass at %s", java.util.Arrays.toString(x3)).isEqualTo(run(sm, x3).get("label"));
                double[] y = (double[]) run(sr, x3).get("variable");
                double[] ours = mr.structure().evaluate(x3);
                for (int j = 0; j < y.length; j++) {
                    close(ours[j], y[j], "regressor output " + j);
                }
                double[] x2 = {x3[0], x3[1]};
                if (k % 10 == 0) {
                    x2 = new double[]{0, 0.5}; // the score is exactly 0
                }
                assertThat(mb.predict(x2).label()).as("binary at %s", java.util.Arrays.toString(x2)).isEqualTo(run(sb, x2).get("label"));
            }
        }
    }
}
