package io.zkml.compiler.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.FeatureRange;
import io.zkml.compiler.QuantizationSettings;
import io.zkml.compiler.Task;
import io.zkml.compiler.ir.IrOp;
import io.zkml.compiler.ir.ReferenceEvaluator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * LeakyRelu and Clip inside networks (lowered with relu, weighted_sum, rescale and shifted dense
 * copies, docs/onnx-models.md): the float evaluator agrees with ONNX Runtime, the circuit is within
 * its error bound of the float model (labels agree where the margin exceeds twice the bound), and
 * the calibration's long evaluator equals the reference evaluator.
 */
class OnnxActivationsTest {

    static TensorProto init(String name, long[] dims, double... v) {
        return OnnxLinearModelsTest.floats(name, dims, v);
    }

    static NodeProto gemm(String name, String in, String w, String b, String out) {
        return NodeProto.newBuilder().setOpType("Gemm").setName(name).addInput(in).addInput(w).addInput(b).addOutput(out)
                .addAttribute(AttributeProto.newBuilder().setName("transB").setType(AttributeProto.AttributeType.INT).setI(1)).build();
    }

    /**
     * A 3-5-3 network: Gemm, the activation, Gemm, then ArgMax (classifier) or the scores, or a
     * second activation on the output (kind "*-out").
     */
    static byte[] network(String kind) {
        List<NodeProto> nodes = new ArrayList<>();
        List<TensorProto> inits = new ArrayList<>();
        inits.add(init("w1", new long[]{5, 3}, 1, -1, 0.5, 2, -1.5, 0.25, -0.75, 1, 1.25, 0.5, 0.5, -2, -1, 0.25, 0.75));
        inits.add(init("b1", new long[]{5}, 0.1, -0.3, 0.2, 0.5, -0.1));
        inits.add(init("w2", new long[]{3, 5}, 1, -2, 0.5, 0.3, -1, -0.75, 1, 1.25, 0.5, 0.2, 0.4, -0.6, 1, -1, 0.8));
        inits.add(init("b2", new long[]{3}, -0.2, 0.1, 0.05));
        nodes.add(gemm("g1", "x", "w1", "b1", "h"));
        String act = kind.startsWith("leaky") ? "LeakyRelu" : kind.startsWith("sigmoid") ? "Sigmoid"
                : kind.startsWith("tanh") ? "Tanh" : "Clip";
        NodeProto.Builder a = NodeProto.newBuilder().setOpType(act).setName("act").addInput("h").addOutput("ha");
        switch (kind.replace("-out", "").replace("-cls", "")) {
            case "leaky" -> a.addAttribute(AttributeProto.newBuilder().setName("alpha").setType(AttributeProto.AttributeType.FLOAT).setF(0.1f));
            case "leaky-dyadic" -> a.addAttribute(AttributeProto.newBuilder().setName("alpha").setType(AttributeProto.AttributeType.FLOAT).setF(0.25f));
            case "relu6" -> {
                inits.add(init("zero", new long[0], 0));
                inits.add(init("six", new long[0], 1.5));
                a.addInput("zero").addInput("six");
            }
            case "clip" -> {
                inits.add(init("lo", new long[0], -0.5));
                inits.add(init("hi", new long[0], 1.0));
                a.addInput("lo").addInput("hi");
            }
            case "clip-max" -> {
                inits.add(init("hi", new long[0], 0.75));
                a.addInput("").addInput("hi");
            }
            case "sigmoid", "tanh" -> {
            }
            case "clip-min" -> {
                inits.add(init("lo", new long[0], -0.25));
                a.addInput("lo");
            }
            default -> throw new IllegalArgumentException(kind);
        }
        nodes.add(a.build());
        nodes.add(gemm("g2", "ha", "w2", "b2", "s"));
        String out = "s";
        if (kind.endsWith("-out")) {
            NodeProto.Builder o = a.clone().setName("act_out").clearInput().addInput("s").clearOutput().addOutput("y");
            for (int i = 1; i < a.getInputCount(); i++) {
                o.addInput(a.getInput(i));
            }
            nodes.add(o.build());
            out = "y";
        } else if (kind.endsWith("-cls")) {
            nodes.add(NodeProto.newBuilder().setOpType("ArgMax").setName("argmax").addInput("s").addOutput("label")
                    .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(1)).build());
            out = "label";
        }
        GraphProto g = GraphProto.newBuilder().setName(kind).addAllNode(nodes).addAllInitializer(inits)
                .addInput(OnnxLinearModelsTest.tensor("x", TensorProto.DataType.FLOAT_VALUE, "N", 3))
                .addOutput(out.equals("label") ? OnnxLinearModelsTest.tensor("label", TensorProto.DataType.INT64_VALUE, "N")
                        : OnnxLinearModelsTest.tensor(out, TensorProto.DataType.FLOAT_VALUE, "N", 3))
                .build();
        return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(g).build().toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"leaky", "leaky-dyadic-cls", "relu6", "clip", "clip-max", "clip-min", "clip-out", "leaky-out", "relu6-cls", "sigmoid", "tanh-cls", "tanh-out", "sigmoid-out"})
    void activations_agree_with_onnx_runtime_and_the_circuit_within_its_bound(String kind) throws Exception {
        byte[] bytes = network(kind);
        OnnxModel m = OnnxModelReader.read(bytes, null);
        Random r = new Random(kind.hashCode());
        List<double[]> xs = new ArrayList<>();
        for (int k = 0; k < 120; k++) {
            xs.add(new double[]{(float) (r.nextDouble() * 4 - 2), (float) (r.nextDouble() * 4 - 2), (float) (r.nextDouble() * 4 - 2)});
        }
        boolean cls = kind.endsWith("-cls");
        String probe = cls ? "s" : kind.endsWith("-out") ? "y" : "s";
        byte[] withScores = cls ? OnnxRuntimeAgreementTest.withOutput(bytes, "s") : bytes;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(withScores, new OrtSession.SessionOptions())) {
            for (double[] x : xs) {
                Map<String, Object> ort = OnnxRuntimeAgreementTest.run(s, x);
                double[] want = (double[]) ort.get(probe);
                double[] ours = m.structure().evaluate(x);
                for (int j = 0; j < want.length; j++) {
                    OnnxRuntimeAgreementTest.close(ours[j], want[j], kind + " output " + j);
                }
                if (cls) {
                    assertThat(m.predict(x).label()).isEqualTo(ort.get("label"));
                }
            }
        }
        List<FeatureRange> ranges = List.of(new FeatureRange(-2, 2), new FeatureRange(-2, 2), new FeatureRange(-2, 2));
        CompiledCircuit c = CircuitCompiler.compile(m, kind, null, new QuantizationSettings(null, null, ranges, xs.subList(0, 30)));
        assertThat(c.task()).isEqualTo(cls ? Task.CLASSIFICATION : Task.REGRESSION);
        List<String> ops = c.ir().ops().stream().map(IrOp::op).toList();
        if (!kind.startsWith("relu6") && !kind.equals("clip-min")) {
            assertThat(ops).contains("weighted_sum");
        }
        double bound = c.quantization().errorBound();
        String scoreTensor = cls ? "scores" : "y";
        int scale = c.ir().requireTensor(scoreTensor).scale();
        NetworkPlanAccess plan = new NetworkPlanAccess(c);
        for (double[] x : xs) {
            double[] f = m.structure().evaluate(x);
            List<BigInteger> q = c.quantizeInput(x);
            List<BigInteger> ref = ReferenceEvaluator.evaluateAll(c.ir(), q).get(scoreTensor);
            assertThat(plan.run(q)).as("long evaluator == reference").isEqualTo(ref);
            for (int j = 0; j < f.length; j++) {
                double circuit = io.zkml.compiler.Quantizer.dequantize(ref.get(j), scale);
                assertThat(Math.abs(circuit - f[j])).as("%s output %d at %s", kind, j, java.util.Arrays.toString(x))
                        .isLessThanOrEqualTo(bound);
            }
        }
    }

    /** The calibration's long evaluator on a compiled circuit's graph (NetworkCompiler is package-private). */
    record NetworkPlanAccess(CompiledCircuit c) {
        List<BigInteger> run(List<BigInteger> q) {
            return io.zkml.compiler.NetworkPlans.run(c, q);
        }
    }

    /** Transpose of a constant weight, Gemm, BatchNormalization (folded), a no-op Cast, Relu, Gemm. */
    static byte[] batchNormNetwork() {
        List<TensorProto> inits = List.of(
                init("w1t", new long[]{3, 5}, 1, 2, -0.75, 0.5, -1, -1, -1.5, 1, 0.5, 0.25, 0.5, 0.25, 1.25, -2, 0.75),
                init("b1", new long[]{5}, 0.1, -0.3, 0.2, 0.5, -0.1),
                init("gamma", new long[]{5}, 1.5, 0.5, -1, 2, 0.75),
                init("beta", new long[]{5}, 0.1, 0, -0.2, 0.3, 0.05),
                init("mean", new long[]{5}, 0.2, -0.1, 0.4, 0, 0.3),
                init("var", new long[]{5}, 1.2, 0.5, 2, 0.8, 1),
                init("w2", new long[]{2, 5}, 1, -2, 0.5, 0.3, -1, -0.75, 1, 1.25, 0.5, 0.2),
                init("b2", new long[]{2}, -0.2, 0.1));
        List<NodeProto> nodes = List.of(
                NodeProto.newBuilder().setOpType("Transpose").setName("t").addInput("w1t").addOutput("w1")
                        .addAttribute(AttributeProto.newBuilder().setName("perm").setType(AttributeProto.AttributeType.INTS).addInts(1).addInts(0)).build(),
                gemm("g1", "x", "w1", "b1", "h"),
                NodeProto.newBuilder().setOpType("BatchNormalization").setName("bn").addInput("h").addInput("gamma").addInput("beta")
                        .addInput("mean").addInput("var").addOutput("hb")
                        .addAttribute(AttributeProto.newBuilder().setName("epsilon").setType(AttributeProto.AttributeType.FLOAT).setF(1e-3f)).build(),
                NodeProto.newBuilder().setOpType("Cast").setName("cast").addInput("hb").addOutput("hc")
                        .addAttribute(AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT).setI(TensorProto.DataType.FLOAT_VALUE)).build(),
                NodeProto.newBuilder().setOpType("Relu").setName("relu").addInput("hc").addOutput("hr").build(),
                gemm("g2", "hr", "w2", "b2", "y"));
        GraphProto g = GraphProto.newBuilder().setName("bn").addAllNode(nodes).addAllInitializer(inits)
                .addInput(OnnxLinearModelsTest.tensor("x", TensorProto.DataType.FLOAT_VALUE, "N", 3))
                .addOutput(OnnxLinearModelsTest.tensor("y", TensorProto.DataType.FLOAT_VALUE, "N", 2)).build();
        return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(15))
                .setGraph(g).build().toByteArray();
    }

    @org.junit.jupiter.api.Test
    void batch_normalization_transpose_and_cast_fold_and_agree_with_onnx_runtime() throws Exception {
        byte[] bytes = batchNormNetwork();
        OnnxModel m = OnnxModelReader.read(bytes, null);
        assertThat(m.structure().layers()).hasSize(2);
        Random r = new Random(15);
        List<double[]> xs = new ArrayList<>();
        for (int k = 0; k < 100; k++) {
            xs.add(new double[]{(float) (r.nextDouble() * 4 - 2), (float) (r.nextDouble() * 4 - 2), (float) (r.nextDouble() * 4 - 2)});
        }
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(bytes, new OrtSession.SessionOptions())) {
            for (double[] x : xs) {
                double[] want = (double[]) OnnxRuntimeAgreementTest.run(s, x).get("y");
                double[] ours = m.structure().evaluate(x);
                for (int j = 0; j < want.length; j++) {
                    OnnxRuntimeAgreementTest.close(ours[j], want[j], "batch-norm output " + j);
                }
            }
        }
        CompiledCircuit c = CircuitCompiler.compile(m, "bn", null, new QuantizationSettings(null, null,
                List.of(new FeatureRange(-2, 2), new FeatureRange(-2, 2), new FeatureRange(-2, 2)), xs.subList(0, 20)));
        for (double[] x : xs) {
            double[] f = m.structure().evaluate(x);
            var out = c.predict(x).values();
            assertThat(Math.abs(out.get("y[0]") - f[0])).isLessThanOrEqualTo(c.quantization().errorBound());
            assertThat(Math.abs(out.get("y[1]") - f[1])).isLessThanOrEqualTo(c.quantization().errorBound());
        }
    }
}
