package io.zkml.compiler.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.FeatureRange;
import io.zkml.compiler.QuantizationSettings;
import io.zkml.compiler.Task;
import io.zkml.compiler.tribuo.ModelFormatException;
import io.zkml.compiler.tribuo.ModelFormatException.Reason;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ai.onnx.ml linear models as skl2onnx exports them (LinearClassifier → label + probabilities,
 * Normalizer, ZipMap; LinearRegressor), built here node by node: they read as one-layer networks
 * whose float predictions are the hand-computed ones (ONNX Runtime's semantics: binary with one
 * score row predicts the second class when the score is > 0), and they compile and agree with it.
 * (No ONNX Runtime comparison: these are not among the generate.py fixtures yet.)
 */
class OnnxLinearModelsTest {

    static ValueInfoProto tensor(String name, int elem, Object... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            s.addDim(d instanceof String p ? TensorShapeProto.Dimension.newBuilder().setDimParam(p)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue((Integer) d));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elem).setShape(s))).build();
    }

    static AttributeProto floats(String name, double... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOATS);
        for (double d : v) {
            a.addFloats((float) d);
        }
        return a.build();
    }

    static AttributeProto str(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(v)).build();
    }

    static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long l : v) {
            a.addInts(l);
        }
        return a.build();
    }

    static AttributeProto strings(String name, String... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRINGS);
        for (String s : v) {
            a.addStrings(ByteString.copyFromUtf8(s));
        }
        return a.build();
    }

    static NodeProto ml(String op, String name, List<String> in, List<String> out, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setDomain("ai.onnx.ml").setName(name).addAllInput(in).addAllOutput(out);
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        return n.build();
    }

    static byte[] model(List<NodeProto> nodes, int features, List<ValueInfoProto> outputs) {
        GraphProto g = GraphProto.newBuilder().setName("linear").addAllNode(nodes)
                .addInput(tensor("float_input", TensorProto.DataType.FLOAT_VALUE, "N", features)).addAllOutput(outputs).build();
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("skl2onnx-shaped test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("ai.onnx.ml").setVersion(1))
                .setGraph(g).build().toByteArray();
    }

    static final double[][] W = {{1.5, -2, 0.25}, {-0.5, 1, 1}, {0.75, 0.5, -1.25}};
    static final double[] B = {0.1, -0.2, 0.3};

    /** skl2onnx's multinomial LogisticRegression: LinearClassifier (SOFTMAX) → Normalizer → ZipMap, two graph outputs. */
    static byte[] multiclass() {
        List<NodeProto> nodes = List.of(
                ml("LinearClassifier", "LinearClassifier", List.of("float_input"), List.of("label", "probability_tensor"),
                        floats("coefficients", W[0][0], W[0][1], W[0][2], W[1][0], W[1][1], W[1][2], W[2][0], W[2][1], W[2][2]),
                        floats("intercepts", B), strings("classlabels_strings", "cat", "dog", "owl"),
                        AttributeProto.newBuilder().setName("multi_class").setType(AttributeProto.AttributeType.INT).setI(0).build(), str("post_transform", "SOFTMAX")),
                ml("Normalizer", "Normalizer", List.of("probability_tensor"), List.of("probabilities"), str("norm", "L1")),
                ml("ZipMap", "ZipMap", List.of("probabilities"), List.of("output_probability"), strings("classlabels_strings", "cat", "dog", "owl")));
        return model(nodes, 3, List.of(tensor("label", TensorProto.DataType.STRING_VALUE, "N"),
                ValueInfoProto.newBuilder().setName("output_probability").build()));
    }

    /** skl2onnx's binary LogisticRegression: one coefficient row, LOGISTIC, integer labels 3 and 7. */
    static byte[] binary() {
        return model(List.of(ml("LinearClassifier", "lc", List.of("float_input"), List.of("label", "probability_tensor"),
                floats("coefficients", 2, -1), floats("intercepts", 0.5), ints("classlabels_ints", 3, 7),
                str("post_transform", "LOGISTIC"))), 2, List.of(tensor("label", TensorProto.DataType.INT64_VALUE, "N"),
                tensor("probability_tensor", TensorProto.DataType.FLOAT_VALUE, "N", 2)));
    }

    /** skl2onnx's LinearRegression with 2 targets. */
    static byte[] regressor() {
        return model(List.of(ml("LinearRegressor", "lr", List.of("float_input"), List.of("variable"),
                floats("coefficients", 1, -2, 0.5, 0.25, 0, 3), floats("intercepts", 0.5, -1),
                AttributeProto.newBuilder().setName("targets").setType(AttributeProto.AttributeType.INT).setI(2).build())),
                3, List.of(tensor("variable", TensorProto.DataType.FLOAT_VALUE, "N", 2)));
    }

    static TensorProto floats(String name, long[] dims, double... v) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) {
            t.addDims(d);
        }
        for (double d : v) {
            t.addFloatData((float) d);
        }
        return t.build();
    }

    /** A 2-3-2 regressor whose graph ends in a ReLU (Gemm, Relu, Gemm, Relu): the proven output is the rectified one. */
    static byte[] reluOutput() {
        NodeProto g1 = NodeProto.newBuilder().setOpType("Gemm").setName("g1").addInput("float_input").addInput("w1").addInput("b1")
                .addOutput("h").addAttribute(AttributeProto.newBuilder().setName("transB").setType(AttributeProto.AttributeType.INT).setI(1)).build();
        NodeProto r1 = NodeProto.newBuilder().setOpType("Relu").setName("r1").addInput("h").addOutput("hr").build();
        NodeProto g2 = NodeProto.newBuilder().setOpType("Gemm").setName("g2").addInput("hr").addInput("w2").addInput("b2")
                .addOutput("o").addAttribute(AttributeProto.newBuilder().setName("transB").setType(AttributeProto.AttributeType.INT).setI(1)).build();
        NodeProto r2 = NodeProto.newBuilder().setOpType("Relu").setName("r2").addInput("o").addOutput("y").build();
        GraphProto g = GraphProto.newBuilder().setName("relu_out").addNode(g1).addNode(r1).addNode(g2).addNode(r2)
                .addInitializer(floats("w1", new long[]{3, 2}, 1, -1, 0.5, 2, -1.5, 0.25))
                .addInitializer(floats("b1", new long[]{3}, 0.1, -0.3, 0.2))
                .addInitializer(floats("w2", new long[]{2, 3}, 1, -2, 0.5, -0.75, 1, 1.25))
                .addInitializer(floats("b2", new long[]{2}, -0.2, 0.1))
                .addInput(tensor("float_input", TensorProto.DataType.FLOAT_VALUE, "N", 2))
                .addOutput(tensor("y", TensorProto.DataType.FLOAT_VALUE, "N", 2)).build();
        return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(g).build().toByteArray();
    }

    @Test
    void a_graph_that_ends_in_a_relu_proves_the_rectified_output() throws Exception {
        OnnxModel m = OnnxModelReader.read(reluOutput(), null);
        assertThat(m.task()).isEqualTo(Task.REGRESSION);
        assertThat(m.structure().layers().getLast().relu()).isTrue();
        Random r = new Random(9);
        List<double[]> xs = new ArrayList<>();
        for (int k = 0; k < 100; k++) {
            xs.add(new double[]{r.nextDouble() * 4 - 2, r.nextDouble() * 4 - 2});
        }
        CompiledCircuit c = CircuitCompiler.compile(m, "relu-out", null,
                new QuantizationSettings(null, null, List.of(new FeatureRange(-2, 2), new FeatureRange(-2, 2)), xs.subList(0, 20)));
        assertThat(c.ir().ops().getLast().op()).isEqualTo("relu");
        int zeros = 0;
        for (double[] x : xs) {
            double[] f = m.structure().evaluate(x);
            var out = c.predict(x).values();
            assertThat(out.get("y[0]")).isGreaterThanOrEqualTo(0.0);
            zeros += f[0] == 0 ? 1 : 0;
            assertThat(Math.abs(out.get("y[0]") - f[0])).isLessThanOrEqualTo(c.quantization().errorBound());
            assertThat(Math.abs(out.get("y[1]") - f[1])).isLessThanOrEqualTo(c.quantization().errorBound());
        }
        assertThat(zeros).as("some outputs are rectified").isPositive();
    }

    static double score(int j, double[] x) {
        double s = B[j];
        for (int i = 0; i < 3; i++) {
            s += (float) W[j][i] * x[i];
        }
        return s;
    }

    @Test
    void a_multiclass_linear_classifier_reads_as_a_one_layer_network_with_its_labels() throws Exception {
        OnnxModel m = OnnxModelReader.read(multiclass(), null);
        assertThat(m.task()).isEqualTo(Task.CLASSIFICATION);
        assertThat(m.outputs()).containsExactly("cat", "dog", "owl");
        assertThat(m.structure().layers()).hasSize(1);
        Random r = new Random(6);
        List<double[]> samples = new ArrayList<>();
        for (int k = 0; k < 200; k++) {
            double[] x = {r.nextDouble() * 4 - 2, r.nextDouble() * 4 - 2, r.nextDouble() * 4 - 2};
            int best = 0;
            for (int j = 1; j < 3; j++) {
                if (score(j, x) > score(best, x)) {
                    best = j;
                }
            }
            assertThat(m.predict(x).label()).isEqualTo(m.outputs().get(best));
            samples.add(x);
        }
        List<FeatureRange> ranges = List.of(new FeatureRange(-2, 2), new FeatureRange(-2, 2), new FeatureRange(-2, 2));
        CompiledCircuit c = CircuitCompiler.compile(m, "lc", null, new QuantizationSettings(null, null, ranges, samples.subList(0, 50)));
        assertThat(c.quantization().network().calibration().targetMet()).isTrue();
        for (double[] x : samples) {
            double[] f = m.structure().evaluate(x);
            double[] sorted = f.clone();
            java.util.Arrays.sort(sorted);
            if (sorted[2] - sorted[1] > 2 * c.quantization().errorBound()) {
                assertThat(c.predict(x).label()).isEqualTo(m.predict(x).label());
            }
        }
    }

    @Test
    void a_binary_linear_classifier_with_one_score_predicts_the_second_class_above_zero() throws Exception {
        byte[] b = binary();
        OnnxModel m = OnnxModelReader.read(b, List.of("a", "b"));
        assertThat(m.outputs()).containsExactly("3", "7");
        assertThat(m.predict(new double[]{1, 0}).label()).isEqualTo("7");   // s = 2.5
        assertThat(m.predict(new double[]{-1, 0}).label()).isEqualTo("3");  // s = -1.5
        assertThat(m.predict(new double[]{0, 0.5}).label()).isEqualTo("3"); // s = 0: not > 0
        CompiledCircuit c = CircuitCompiler.compile(m, "bin", null,
                new QuantizationSettings(null, null, List.of(new FeatureRange(-2, 2), new FeatureRange(-2, 2)), null));
        assertThat(c.predict(new double[]{0, 0.5}).label()).isEqualTo("3");
        assertThat(c.predict(new double[]{1, 0}).label()).isEqualTo("7");
        assertThat(c.predict(new double[]{0, 0.4}).label()).isEqualTo("7");  // s = 0.1
    }

    @Test
    void a_linear_regressor_reads_as_a_one_layer_regression() throws Exception {
        byte[] b = regressor();
        OnnxModel m = OnnxModelReader.read(b, null);
        assertThat(m.task()).isEqualTo(Task.REGRESSION);
        assertThat(m.outputs()).containsExactly("variable[0]", "variable[1]");
        double[] x = {1, 2, -1};
        assertThat(m.predict(x).values().get("variable[0]")).isEqualTo(0.5 + 1 - 4 - 0.5);
        assertThat(m.predict(x).values().get("variable[1]")).isEqualTo(-1 + 0.25 - 3);
        CompiledCircuit c = CircuitCompiler.compile(m, "lr", null, new QuantizationSettings(null, null,
                List.of(new FeatureRange(-3, 3), new FeatureRange(-3, 3), new FeatureRange(-3, 3)), List.of(x, new double[]{0, 0, 0})));
        double y0 = c.predict(x).values().get("variable[0]");
        assertThat(Math.abs(y0 - (-3.0))).isLessThanOrEqualTo(c.quantization().errorBound());
    }

    @Test
    void unsupported_transforms_and_normalizers_over_scores_are_refused() {
        byte[] probit = model(List.of(ml("LinearRegressor", "lr", List.of("float_input"), List.of("y"),
                floats("coefficients", 1, 1), str("post_transform", "PROBIT"))), 2, List.of(tensor("y", 1, "N", 1)));
        assertThatThrownBy(() -> OnnxModelReader.read(probit, null)).isInstanceOfSatisfying(ModelFormatException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_MODEL_TYPE)).hasMessageContaining("PROBIT");
        byte[] norm = model(List.of(ml("LinearRegressor", "lr", List.of("float_input"), List.of("y"), floats("coefficients", 1, 1)),
                ml("Normalizer", "n", List.of("y"), List.of("z"), str("norm", "L1"))), 2, List.of(tensor("z", 1, "N", 1)));
        assertThatThrownBy(() -> OnnxModelReader.read(norm, null)).hasMessageContaining("Normalizer");
        byte[] tree = model(List.of(ml("TreeEnsembleClassifier", "trees", List.of("float_input"), List.of("label"))), 2,
                List.of(tensor("label", 7, "N")));
        // tree ensembles are read by OnnxTreeReader (issue 6b, OnnxTreeEnsembleTest): one without nodes is refused, naming it
        assertThatThrownBy(() -> OnnxModelReader.read(tree, null)).isInstanceOfSatisfying(ModelFormatException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_MODEL_TYPE)).hasMessageContaining("TreeEnsembleClassifier node \"trees\"");
    }
}
