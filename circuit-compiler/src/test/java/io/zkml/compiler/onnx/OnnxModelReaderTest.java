package io.zkml.compiler.onnx;

import io.zkml.compiler.Task;
import io.zkml.compiler.model.ModelFamily;
import io.zkml.compiler.model.NetworkStructure;
import io.zkml.compiler.tribuo.FloatPrediction;
import io.zkml.compiler.tribuo.ModelFormatException;
import io.zkml.compiler.tribuo.ModelFormatException.Reason;
import io.zkml.compiler.tribuo.ModelFormatException.UnsupportedOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The committed ONNX models of testdata/onnx/ (made by generate.py there): the folded network's
 * float evaluation agrees with ONNX Runtime's recorded outputs, and bad files are refused with
 * their reason.
 */
class OnnxModelReaderTest {

    static final Path DIR = Path.of("..", "testdata", "onnx");

    static byte[] bytes(String name) throws Exception {
        return Files.readAllBytes(DIR.resolve(name + ".onnx"));
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

    /** float32 inference vs the double-precision fold: |diff| ≤ 1e-5 · max(1, |value|) (relative to float32's 6e-8 ulp). */
    static void close(double actual, double expected, String what) {
        assertThat(Math.abs(actual - expected)).as(what + ": " + actual + " vs " + expected)
                .isLessThanOrEqualTo(1e-5 * Math.max(1, Math.abs(expected)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp-tabular", "mlp-softmax", "mnist-mlp-784-56-10", "mlp-activations", "sklearn-mlp-classifier"})
    void classifiers_agree_with_onnx_runtime(String name) throws Exception {
        OnnxModel m = OnnxModelReader.read(bytes(name), null);
        JsonNode exp = expected(name);
        String labelKey = exp.get("outputs").get(0).asString();
        String scoreKey = exp.get("scores").asString();
        assertThat(m.task()).isEqualTo(Task.CLASSIFICATION);
        assertThat(m.family()).isEqualTo(ModelFamily.MLP);
        assertThat(m.format()).isEqualTo("onnx");
        assertThat(m.structure().argmax()).isTrue();
        int cases = 0;
        for (JsonNode c : exp.get("cases")) {
            double[] x = doubles(c.get("input"));
            FloatPrediction p = m.predict(x);
            assertThat(p.label()).isEqualTo(c.get(labelKey).get(0).asString());
            double[] scores = m.structure().evaluate(x);
            double[] want = doubles(c.get(scoreKey));
            for (int k = 0; k < want.length; k++) {
                close(scores[k], want[k], name + " case " + cases + " score " + k);
            }
            cases++;
        }
        assertThat(cases).isGreaterThanOrEqualTo(40);
        assertThat(m.features()).hasSize(m.structure().inputs()).startsWith("X[0]", "X[1]");
    }

    @Test
    void the_tabular_mlp_folds_to_two_layers() throws Exception {
        NetworkStructure s = OnnxModelReader.read(bytes("mlp-tabular"), null).structure();
        assertThat(s.inputs()).isEqualTo(4);
        assertThat(s.layers()).hasSize(2);
        assertThat(s.layers().get(0).relu()).isTrue();
        assertThat(s.layers().get(1).relu()).isFalse();
        assertThat(s.outputs()).isEqualTo(3);
        NetworkStructure mnist = OnnxModelReader.read(bytes("mnist-mlp-784-56-10"), null).structure();
        assertThat(mnist.toString()).isEqualTo("NetworkStructure[784 -> 56 relu -> 10 -> argmax]");
    }

    @Test
    void the_regressor_folds_sub_div_flatten_matmul_add_dropout_identity_mul_reshape() throws Exception {
        JsonNode exp = expected("mlp-regressor");
        List<String> names = List.of("temperature", "pressure", "flow");
        OnnxModel m = OnnxModelReader.read(bytes("mlp-regressor"), names);
        assertThat(m.task()).isEqualTo(Task.REGRESSION);
        assertThat(m.features()).isEqualTo(names);
        assertThat(m.outputs()).containsExactly("y");
        assertThat(m.structure().layers()).hasSize(2);
        for (JsonNode c : exp.get("cases")) {
            double[] x = doubles(c.get("input"));
            close(m.predict(x).values().get("y"), c.get("y").get(0).asDouble(), "y at " + Arrays.toString(x));
        }
    }

    @Test
    void every_unsupported_operator_is_listed_with_its_node() throws Exception {
        assertThatThrownBy(() -> OnnxModelReader.read(bytes("unsupported-ops"), null))
                .isInstanceOfSatisfying(ModelFormatException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_OPERATOR);
                    assertThat(e.unsupportedOperators()).containsExactly(new UnsupportedOperator("Erf", "gate"),
                            new UnsupportedOperator("Softplus", "squash"), new UnsupportedOperator("Elu", "elu"));
                    assertThat(e.getMessage()).contains("3 unsupported operators", "Erf (node \"gate\")", "Gemm");
                });
    }

    @Test
    void bad_files_are_refused_with_their_reason() throws Exception {
        byte[] good = bytes("mlp-tabular");
        assertReason(new byte[0], Reason.EMPTY);
        assertReason(Arrays.copyOf(good, good.length / 2), Reason.NOT_PROTOBUF);
        assertReason(new byte[] {(byte) 0xAC, (byte) 0xED, 0, 5}, Reason.JAVA_SERIALIZED);
        assertReason("not a model at all, just text".getBytes(), Reason.NOT_PROTOBUF);
        assertReason(new byte[OnnxModelReader.MAX_BYTES + 1], Reason.TOO_LARGE);
        // deeply nested protobuf: field 7 (graph) of length-delimited messages 100 deep
        byte[] deep = new byte[0];
        for (int i = 0; i < 100; i++) {
            byte[] b = new byte[deep.length + 2];
            b[0] = 0x3a; // field 7, wire type 2
            b[1] = (byte) deep.length;
            System.arraycopy(deep, 0, b, 2, deep.length);
            deep = b.length > 127 ? deep : b;
        }
        byte[] nested = deep;
        assertThatThrownBy(() -> OnnxModelReader.read(nested, null)).isInstanceOf(ModelFormatException.class);
    }

    @Test
    void feature_names_must_fit_the_input() {
        assertThatThrownBy(() -> OnnxModelReader.read(bytes("mlp-regressor"), List.of("a", "b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has 3 values");
        assertThatThrownBy(() -> OnnxModelReader.read(bytes("mlp-regressor"), List.of("a", "b", "a")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    }

    static void assertReason(byte[] b, Reason r) {
        assertThatThrownBy(() -> OnnxModelReader.read(b, null))
                .isInstanceOfSatisfying(ModelFormatException.class, e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(r));
    }
}
