package io.zkml.compiler.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.FeatureRange;
import io.zkml.compiler.QuantizationSettings;
import io.zkml.compiler.Task;
import io.zkml.compiler.model.DecisionTree;
import io.zkml.compiler.model.ImportLimits;
import io.zkml.compiler.model.ImportedModel;
import io.zkml.compiler.model.ModelFamily;
import io.zkml.compiler.model.TreeEnsembleStructure;
import io.zkml.compiler.tribuo.ModelFormatException;
import io.zkml.compiler.tribuo.ModelFormatException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ai.onnx.ml TreeEnsembleClassifier / TreeEnsembleRegressor (issue 6): the fixtures of
 * testdata/onnx (scikit-learn RandomForest / GradientBoosting / RandomForestRegressor via skl2onnx,
 * XGBoost and LightGBM via onnxmltools) against ONNX Runtime: the float reference's labels equal ONNX
 * Runtime's on every recorded input (inputs at a float32 threshold and one float32 step either side
 * included) and on seeded random ones; on inputs of the quantized grid next to every threshold the
 * circuit takes ONNX Runtime's branch (its labels equal ONNX Runtime's wherever the score margin
 * exceeds twice the error bound plus float32 noise, regression within the bound); bad attributes are
 * refused naming the node.
 */
class OnnxTreeEnsembleTest {

    static final List<String> CLASSIFIERS = List.of("sklearn-random-forest-classifier",
            "sklearn-gradient-boosting-classifier", "xgboost-classifier", "lightgbm-classifier",
            "sklearn-decision-tree-classifier", "sklearn-hist-gradient-boosting-classifier");
    static final double RANGE = 5;

    static ImportedModel read(byte[] b) throws ModelFormatException {
        return OnnxModelReader.readModel(b, null, null);
    }

    static List<FeatureRange> ranges(int n) {
        List<FeatureRange> r = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            r.add(new FeatureRange(-RANGE, RANGE));
        }
        return r;
    }

    /** float32 noise of ONNX Runtime's score sums: a few ulps of the sum of |leaf| over all trees. */
    static double floatSlack(TreeEnsembleStructure s) {
        double sum = 0;
        for (TreeEnsembleStructure.Member m : s.members()) {
            for (DecisionTree t : m.trees()) {
                double max = 0;
                for (double[] row : t.leafValues()) {
                    for (double v : row) {
                        max = Math.max(max, Math.abs(v));
                    }
                }
                sum += max;
            }
        }
        return sum * 1e-6 + 1e-6;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sklearn-random-forest-classifier", "sklearn-gradient-boosting-classifier",
            "sklearn-random-forest-regressor", "xgboost-classifier", "lightgbm-classifier", "xgboost-classifier-100-trees",
            "sklearn-decision-tree-classifier", "sklearn-hist-gradient-boosting-classifier"})
    void the_float_reference_is_onnx_runtime_on_the_recorded_inputs_thresholds_included(String name) throws Exception {
        ImportedModel m = read(OnnxModelReaderTest.bytes(name));
        JsonNode exp = OnnxModelReaderTest.expected(name);
        assertThat(m).isInstanceOf(OnnxTreeModel.class);
        assertThat(m.family()).isEqualTo(name.contains("decision-tree") ? ModelFamily.TREE : ModelFamily.ENSEMBLE);
        String out = exp.get("outputs").get(0).asString();
        boolean classifier = !name.contains("regressor");
        assertThat(m.task()).isEqualTo(classifier ? Task.CLASSIFICATION : Task.REGRESSION);
        double slack = floatSlack((TreeEnsembleStructure) m.structure());
        int k = 0;
        for (JsonNode c : exp.get("cases")) {
            double[] x = OnnxModelReaderTest.doubles(c.get("input"));
            var p = m.predict(x);
            JsonNode want = c.get(out).get(0);
            if (classifier) {
                assertThat(p.label()).as("%s case %d %s", name, k, java.util.Arrays.toString(x)).isEqualTo(want.asString());
            } else {
                double y = p.values().values().iterator().next();
                assertThat(Math.abs(y - want.asDouble())).as("%s case %d", name, k).isLessThanOrEqualTo(slack);
            }
            k++;
        }
        assertThat(k).isGreaterThan(100);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sklearn-random-forest-classifier", "sklearn-gradient-boosting-classifier",
            "sklearn-random-forest-regressor", "xgboost-classifier", "lightgbm-classifier",
            "sklearn-decision-tree-classifier", "sklearn-hist-gradient-boosting-classifier"})
    void the_circuit_takes_onnx_runtimes_branch_on_the_grid_next_to_every_threshold(String name) throws Exception {
        byte[] bytes = OnnxModelReaderTest.bytes(name);
        ImportedModel m = read(bytes);
        TreeEnsembleStructure s = (TreeEnsembleStructure) m.structure();
        int n = m.features().size();
        CompiledCircuit c = CircuitCompiler.compile(m, name, null, new QuantizationSettings(null, null, ranges(n), null));
        int scale = c.quantization().inputScale();
        Double bound = c.quantization().errorBound();
        double margin = 2 * (bound == null ? 0 : bound) + 2 * floatSlack(s);
        double step = Math.scalb(1.0, -scale);
        Random r = new Random(61);
        List<double[]> inputs = new ArrayList<>();
        for (TreeEnsembleStructure.Member mem : s.members()) {
            DecisionTree t = mem.trees().get(0);
            for (int node = 0; node < t.internalNodes(); node++) {
                double th = t.threshold()[node];
                if (Math.abs(th) >= RANGE) {
                    continue;
                }
                double tau = Math.floor(Math.scalb(th, scale));
                for (double q : new double[] {tau - 1, tau, tau + 1, tau + 2}) {
                    double[] x = new double[n];
                    for (int i = 0; i < n; i++) {
                        x[i] = Math.rint(r.nextGaussian() / step) * step;
                    }
                    x[t.feature()[node]] = q * step;
                    inputs.add(x);
                }
            }
        }
        assertThat(inputs).hasSizeGreaterThan(40);
        int decided = 0;
        try (OrtSession session = OrtEnvironment.getEnvironment().createSession(bytes, new OrtSession.SessionOptions())) {
            String out = OnnxModelReaderTest.expected(name).get("outputs").get(0).asString();
            for (double[] x : inputs) {
                for (double v : x) {
                    assertThat((double) (float) v).as("grid inputs are float32 values").isEqualTo(v);
                }
                Map<String, Object> ort = OnnxRuntimeAgreementTest.run(session, x);
                var ours = c.predict(x);
                // the circuit's quantized input is x itself: every comparison is exact
                assertThat(c.quantizeInput(x).get(0).doubleValue()).isEqualTo(Math.scalb(x[0], scale));
                if (m.task() == Task.CLASSIFICATION) {
                    assertThat(m.predict(x).label()).isEqualTo(ort.get(out));
                    double[] scores = m.predict(x).values().values().stream().mapToDouble(Double::doubleValue).toArray();
                    double[] sorted = scores.clone();
                    java.util.Arrays.sort(sorted);
                    if (sorted[sorted.length - 1] - sorted[sorted.length - 2] > margin) {
                        decided++;
                        assertThat(ours.label()).as("%s at %s", name, java.util.Arrays.toString(x)).isEqualTo(ort.get(out));
                    }
                } else {
                    double want = ((double[]) ort.get(out))[0];
                    double y = ours.values().values().iterator().next();
                    assertThat(Math.abs(y - want)).as("%s at %s", name, java.util.Arrays.toString(x))
                            .isLessThanOrEqualTo(bound + floatSlack(s));
                    decided++;
                }
            }
        }
        assertThat(decided).as("inputs with a clear margin").isGreaterThan(inputs.size() / 2);
    }

    @Test
    void random_inputs_agree_with_onnx_runtime_away_from_the_splits() throws Exception {
        Random r = new Random(2026);
        for (String name : CLASSIFIERS) {
            byte[] bytes = OnnxModelReaderTest.bytes(name);
            ImportedModel m = read(bytes);
            CompiledCircuit c = CircuitCompiler.compile(m, name, null,
                    new QuantizationSettings(null, null, ranges(m.features().size()), null));
            String out = OnnxModelReaderTest.expected(name).get("outputs").get(0).asString();
            try (OrtSession session = OrtEnvironment.getEnvironment().createSession(bytes, new OrtSession.SessionOptions())) {
                int agree = 0;
                for (int k = 0; k < 100; k++) {
                    double[] x = new double[m.features().size()];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) Math.max(-4.9, Math.min(4.9, r.nextGaussian() * 1.5));
                    }
                    Object want = OnnxRuntimeAgreementTest.run(session, x).get(out);
                    assertThat(m.predict(x).label()).isEqualTo(want);
                    if (c.predict(x).label().equals(want)) {
                        agree++;
                    }
                }
                assertThat(agree).as(name).isGreaterThanOrEqualTo(99);
            }
        }
    }

    @Test
    void labels_and_outputs_are_the_exporters() throws Exception {
        assertThat(read(OnnxModelReaderTest.bytes("sklearn-random-forest-classifier")).outputs())
                .containsExactly("high", "low", "medium");
        assertThat(read(OnnxModelReaderTest.bytes("xgboost-classifier")).outputs()).containsExactly("0", "1", "2");
        assertThat(read(OnnxModelReaderTest.bytes("sklearn-gradient-boosting-classifier")).outputs()).containsExactly("0", "1");
        assertThat(read(OnnxModelReaderTest.bytes("sklearn-random-forest-regressor")).outputs()).containsExactly("variable");
        assertThatThrownBy(() -> OnnxModelReader.read(OnnxModelReaderTest.bytes("xgboost-classifier"), null))
                .isInstanceOf(ModelFormatException.class);
    }

    // ------------------------------------------------------------------------------------------ bad input

    /** The fixture with its tree node's attributes changed. */
    static byte[] edit(String name, UnaryOperator<NodeProto.Builder> f) throws Exception {
        ModelProto m = ModelProto.parseFrom(OnnxModelReaderTest.bytes(name));
        var g = m.getGraph().toBuilder();
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getOpType().startsWith("TreeEnsemble")) {
                g.setNode(i, f.apply(g.getNode(i).toBuilder()));
            }
        }
        return m.toBuilder().setGraph(g).build().toByteArray();
    }

    static NodeProto.Builder setAttr(NodeProto.Builder n, AttributeProto a) {
        for (int i = 0; i < n.getAttributeCount(); i++) {
            if (n.getAttribute(i).getName().equals(a.getName())) {
                return n.setAttribute(i, a);
            }
        }
        return n.addAttribute(a);
    }

    static AttributeProto attr(NodeProto.Builder n, String name) {
        return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst().orElseThrow();
    }

    static ModelFormatException refusal(byte[] b) {
        return refusal(b, null);
    }

    static ModelFormatException refusal(byte[] b, ImportLimits limits) {
        try {
            OnnxModelReader.readModel(b, null, limits);
        } catch (ModelFormatException e) {
            return e;
        }
        throw new AssertionError("accepted");
    }

    @Test
    void branch_eq_and_neq_are_refused_as_unsupported_operators_naming_the_node_and_mode() throws Exception {
        byte[] b = edit("xgboost-classifier", n -> {
            AttributeProto modes = attr(n, "nodes_modes");
            var mb = modes.toBuilder();
            mb.setStrings(0, ByteString.copyFromUtf8("BRANCH_EQ"));
            mb.setStrings(1, ByteString.copyFromUtf8("BRANCH_NEQ"));
            return setAttr(n.setName("xgb_trees"), mb.build());
        });
        ModelFormatException e = refusal(b);
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_OPERATOR);
        assertThat(e.getMessage()).contains("xgb_trees").contains("BRANCH_EQ").contains("BRANCH_NEQ");
        assertThat(e.unsupportedOperators()).hasSize(2);
        assertThat(e.unsupportedOperators().getFirst().node()).isEqualTo("xgb_trees");
        assertThat(e.unsupportedOperators().getFirst().opType()).contains("TreeEnsembleClassifier").contains("BRANCH_EQ");
    }

    @Test
    void inconsistent_attribute_lengths_are_refused_naming_the_node() throws Exception {
        byte[] b = edit("sklearn-random-forest-regressor", n -> {
            AttributeProto v = attr(n, "nodes_values");
            return setAttr(n, v.toBuilder().clearFloats().addAllFloats(v.getFloatsList().subList(0, 5)).build());
        });
        ModelFormatException e = refusal(b);
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_MODEL_TYPE);
        assertThat(e.getMessage()).contains("TreeEnsembleRegressor node \"TreeEnsembleRegressor\"")
                .contains("nodes_values has 5");
        byte[] w = edit("xgboost-classifier", n -> {
            AttributeProto v = attr(n, "class_ids");
            return setAttr(n, v.toBuilder().clearInts().addAllInts(v.getIntsList().subList(0, 3)).build());
        });
        assertThat(refusal(w).getMessage()).contains("class_ids has 3");
    }

    @Test
    void absurd_sizes_are_refused_before_allocation() throws Exception {
        byte[] targets = edit("sklearn-random-forest-regressor",
                n -> setAttr(n, AttributeProto.newBuilder().setName("n_targets").setType(AttributeProto.AttributeType.INT)
                        .setI(2_000_000_000L).build()));
        assertThat(refusal(targets).getMessage()).contains("n_targets 2000000000");
        byte[] bytes = OnnxModelReaderTest.bytes("xgboost-classifier");
        ModelFormatException nodes = refusal(bytes, new ImportLimits(16, 1024, 10));
        assertThat(nodes.reason()).isEqualTo(Reason.LIMIT_EXCEEDED);
        assertThat(nodes.limitName()).isEqualTo(ImportLimits.MAX_TREE_NODES);
        assertThat(nodes.getMessage()).contains("TreeEnsembleClassifier node");
        ModelFormatException depth = refusal(bytes, new ImportLimits(2, 1024, 1 << 20));
        assertThat(depth.limitName()).isEqualTo(ImportLimits.MAX_TREE_DEPTH);
        ModelFormatException members = refusal(bytes, new ImportLimits(16, 5, 1 << 20));
        assertThat(members.limitName()).isEqualTo(ImportLimits.MAX_ENSEMBLE_MEMBERS);
    }

    @Test
    void unsupported_transforms_aggregates_and_broken_trees_are_refused() throws Exception {
        byte[] post = edit("sklearn-random-forest-regressor", n -> setAttr(n, AttributeProto.newBuilder()
                .setName("post_transform").setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8("LOGISTIC")).build()));
        assertThat(refusal(post).getMessage()).contains("post_transform LOGISTIC is not supported");
        byte[] agg = edit("sklearn-random-forest-regressor", n -> setAttr(n, AttributeProto.newBuilder()
                .setName("aggregate_function").setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8("MAX")).build()));
        assertThat(refusal(agg).getMessage()).contains("aggregate_function MAX");
        byte[] probit = edit("xgboost-classifier", n -> setAttr(n, AttributeProto.newBuilder()
                .setName("post_transform").setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8("PROBIT")).build()));
        assertThat(refusal(probit).getMessage()).contains("post_transform PROBIT");
        byte[] cycle = edit("xgboost-classifier", n -> {
            AttributeProto t = attr(n, "nodes_truenodeids");
            return setAttr(n, t.toBuilder().setInts(1, 0).build()); // node 1's true child is the root
        });
        assertThat(refusal(cycle).getMessage()).contains("reached twice");
        byte[] missing = edit("xgboost-classifier", n -> {
            AttributeProto t = attr(n, "class_nodeids");
            return setAttr(n, t.toBuilder().setInts(0, 999_999).build());
        });
        assertThat(refusal(missing).getMessage()).contains("names node 999999").contains("does not exist");
        byte[] feature = edit("xgboost-classifier", n -> {
            AttributeProto t = attr(n, "nodes_featureids");
            return setAttr(n, t.toBuilder().setInts(0, 7).build());
        });
        assertThat(refusal(feature).getMessage()).contains("tests feature 7");
    }

    static byte[] asTensor(String name, boolean asDouble) throws Exception {
        return edit(name, n -> {
            AttributeProto v = attr(n, "nodes_values");
            AttributeProto w = attr(n, "target_weights");
            ai.onnx.proto.OnnxMl.TensorProto.Builder tv = ai.onnx.proto.OnnxMl.TensorProto.newBuilder()
                    .setDataType(asDouble ? ai.onnx.proto.OnnxMl.TensorProto.DataType.DOUBLE_VALUE
                            : ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT_VALUE).addDims(v.getFloatsCount());
            v.getFloatsList().forEach(f -> {
                if (asDouble) {
                    tv.addDoubleData(f);
                } else {
                    tv.addFloatData(f);
                }
            });
            ai.onnx.proto.OnnxMl.TensorProto.Builder tw = ai.onnx.proto.OnnxMl.TensorProto.newBuilder()
                    .setDataType(ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT_VALUE).addDims(w.getFloatsCount())
                    .addAllFloatData(w.getFloatsList());
            NodeProto.Builder out = NodeProto.newBuilder(n.build()).clearAttribute();
            for (AttributeProto a : n.getAttributeList()) {
                if (!a.getName().equals("nodes_values") && !a.getName().equals("target_weights")) {
                    out.addAttribute(a);
                }
            }
            out.addAttribute(AttributeProto.newBuilder().setName("nodes_values_as_tensor").setType(AttributeProto.AttributeType.TENSOR).setT(tv));
            return out.addAttribute(AttributeProto.newBuilder().setName("target_weights_as_tensor").setType(AttributeProto.AttributeType.TENSOR).setT(tw));
        });
    }

    @Test
    void as_tensor_attributes_are_read_and_a_double_one_for_a_float_input_is_refused_as_onnx_runtime_does() throws Exception {
        // the regressor with nodes_values_as_tensor and target_weights_as_tensor (float tensors, as ONNX
        // Runtime requires for a float input; a double one is refused, as ONNX Runtime refuses it)
        String name = "sklearn-random-forest-regressor";
        assertThat(refusal(asTensor(name, true)).getMessage()).contains("nodes_values_as_tensor is a double tensor");
        byte[] b = asTensor(name, false);
        ImportedModel m = read(b);
        ImportedModel plain = read(OnnxModelReaderTest.bytes(name));
        assertThat(m.structure()).as("the same trees once the thresholds are float32").isEqualTo(plain.structure());
        JsonNode exp = OnnxModelReaderTest.expected(name);
        try (OrtSession session = OrtEnvironment.getEnvironment().createSession(b, new OrtSession.SessionOptions())) {
            for (JsonNode cs : exp.get("cases")) {
                double[] x = OnnxModelReaderTest.doubles(cs.get("input"));
                double want = ((double[]) OnnxRuntimeAgreementTest.run(session, x).get("variable"))[0];
                assertThat((float) want).as("the same model as the recorded one").isEqualTo((float) cs.get("variable").get(0).asDouble());
                double y = m.predict(x).values().values().iterator().next();
                assertThat(Math.abs(y - want)).isLessThanOrEqualTo(floatSlack((TreeEnsembleStructure) m.structure()));
            }
        }
        byte[] both = edit(name, n -> n.addAttribute(AttributeProto.newBuilder().setName("nodes_values_as_tensor")
                .setType(AttributeProto.AttributeType.TENSOR).setT(ai.onnx.proto.OnnxMl.TensorProto.newBuilder()
                        .setDataType(ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT_VALUE).addDims(1).addFloatData(0))));
        assertThat(refusal(both).getMessage()).contains("both nodes_values and nodes_values_as_tensor");
    }

    @Test
    void a_double_input_compares_in_double_as_onnx_runtime_does() throws Exception {
        // the XGBoost fixture (BRANCH_LT) with its input declared double: ONNX Runtime then compares doubles
        // with the (float32-valued) thresholds; the reader keeps doubles, so one double ulp matters
        ModelProto mp = ModelProto.parseFrom(OnnxModelReaderTest.bytes("xgboost-classifier"));
        var g = mp.getGraph().toBuilder();
        var in = g.getInput(0).toBuilder();
        in.getTypeBuilder().getTensorTypeBuilder().setElemType(ai.onnx.proto.OnnxMl.TensorProto.DataType.DOUBLE_VALUE);
        byte[] b = mp.toBuilder().setGraph(g.setInput(0, in)).build().toByteArray();
        ImportedModel m = read(b);
        TreeEnsembleStructure s = (TreeEnsembleStructure) m.structure();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int checked = 0;
        try (OrtSession session = env.createSession(b, new OrtSession.SessionOptions())) {
            for (TreeEnsembleStructure.Member mem : s.members()) {
                DecisionTree t = mem.trees().get(0);
                for (int node = 0; node < Math.min(3, t.internalNodes()); node++) {
                    double th = Math.nextUp(t.threshold()[node]); // the ONNX threshold (BRANCH_LT: stored as nextDown)
                    for (double v : new double[] {th, Math.nextDown(th), Math.nextUp(th)}) {
                        double[] x = new double[4];
                        x[t.feature()[node]] = v;
                        try (var tensor = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.DoubleBuffer.wrap(x), new long[] {1, 4});
                             var r = session.run(Map.of("X", tensor))) {
                            long want = ((long[]) r.get("label").orElseThrow().getValue())[0];
                            assertThat(m.predict(x).label()).as("at %s", java.util.Arrays.toString(x)).isEqualTo(Long.toString(want));
                            checked++;
                        }
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(30);
    }

    @Test
    void the_other_branch_modes_map_to_the_right_strictness() throws Exception {
        // XGBoost's BRANCH_LT rewritten as the equivalent BRANCH_GTE with the children swapped, and
        // scikit-learn's BRANCH_LEQ as BRANCH_GT swapped: ONNX Runtime and our reference agree on them
        // at the thresholds themselves.
        for (String[] c : new String[][] {{"xgboost-classifier", "BRANCH_LT", "BRANCH_GTE"},
                {"sklearn-random-forest-classifier", "BRANCH_LEQ", "BRANCH_GT"}}) {
            byte[] b = edit(c[0], n -> {
                AttributeProto modes = attr(n, "nodes_modes");
                AttributeProto t = attr(n, "nodes_truenodeids");
                AttributeProto f = attr(n, "nodes_falsenodeids");
                var mb = modes.toBuilder();
                for (int i = 0; i < modes.getStringsCount(); i++) {
                    if (modes.getStrings(i).toStringUtf8().equals(c[1])) {
                        mb.setStrings(i, ByteString.copyFromUtf8(c[2]));
                    }
                }
                setAttr(n, mb.build());
                setAttr(n, t.toBuilder().clearInts().addAllInts(f.getIntsList()).setName("nodes_truenodeids").build());
                return setAttr(n, f.toBuilder().clearInts().addAllInts(t.getIntsList()).setName("nodes_falsenodeids").build());
            });
            ImportedModel m = read(b);
            JsonNode exp = OnnxModelReaderTest.expected(c[0]);
            String out = exp.get("outputs").get(0).asString();
            try (OrtSession session = OrtEnvironment.getEnvironment().createSession(b, new OrtSession.SessionOptions())) {
                for (JsonNode cs : exp.get("cases")) {
                    double[] x = OnnxModelReaderTest.doubles(cs.get("input"));
                    Object want = OnnxRuntimeAgreementTest.run(session, x).get(out);
                    assertThat(want).isEqualTo(cs.get(out).get(0).asString()); // the same model
                    assertThat(m.predict(x).label()).isEqualTo(want);
                }
            }
        }
    }
}
