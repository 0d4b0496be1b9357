package io.zkml.compiler.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.FeatureRange;
import io.zkml.compiler.QuantizationReport;
import io.zkml.compiler.QuantizationSettings;
import io.zkml.compiler.Quantizer;
import io.zkml.compiler.Task;
import io.zkml.compiler.ir.CircuitIr;
import io.zkml.compiler.ir.IrOp;
import io.zkml.compiler.ir.ReferenceEvaluator;
import io.zkml.compiler.ir.ops.ArgmaxOp;
import io.zkml.compiler.model.ConvNetStructure;
import io.zkml.compiler.model.ImportedModel;
import io.zkml.compiler.tribuo.ModelFormatException;
import io.zkml.compiler.tribuo.ModelFormatException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Convolutional ONNX networks (issue 6, CNN; docs/onnx-models.md, "Convolutional networks"): the
 * float evaluator of the imported graph agrees with ONNX Runtime (Java, test scope) to 1e-5 on the
 * recorded and on seeded random inputs of cnn-small and lenet5-28x28; the circuit's scores lie
 * within its error bound of the float model's, and its labels are ONNX Runtime's wherever the
 * margin exceeds twice the bound; the LeNet circuit's constraints are reported per layer; every
 * unsupported attribute is refused with 422 unsupported-operator naming the node and the attribute.
 */
class OnnxConvNetsTest {

    static ImportedModel read(byte[] bytes) throws ModelFormatException {
        return OnnxModelReader.readModel(bytes, null, null);
    }

    static List<double[]> recorded(String name) throws Exception {
        List<double[]> inputs = new ArrayList<>();
        OnnxModelReaderTest.expected(name).get("cases").forEach(c -> inputs.add(OnnxModelReaderTest.doubles(c.get("input"))));
        return inputs;
    }

    static List<FeatureRange> pixelRanges(int n) {
        List<FeatureRange> r = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            r.add(new FeatureRange(0, 1));
        }
        return r;
    }

    /** The circuit's scores (dequantized): the tensor its argmax reads. */
    static double[] circuitScores(CompiledCircuit c, double[] x) throws Exception {
        CircuitIr ir = c.ir();
        IrOp last = ir.ops().getLast();
        String scores = ((ArgmaxOp) last).x();
        int scale = ir.requireTensor(scores).scale();
        List<BigInteger> v = ReferenceEvaluator.evaluateAll(ir, c.quantizeInput(x)).get(scores);
        return v.stream().mapToDouble(b -> Quantizer.dequantize(b, scale)).toArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cnn-small", "lenet5-28x28"})
    void the_float_evaluator_agrees_with_onnx_runtime_and_the_circuit_stays_within_its_bound(String name) throws Exception {
        byte[] bytes = OnnxModelReaderTest.bytes(name);
        JsonNode exp = OnnxModelReaderTest.expected(name);
        ImportedModel m = read(bytes);
        assertThat(m).isInstanceOf(OnnxConvModel.class);
        assertThat(m.structure()).isInstanceOf(ConvNetStructure.class);
        assertThat(m.task()).isEqualTo(Task.CLASSIFICATION);
        ConvNetStructure net = (ConvNetStructure) m.structure();
        String label = exp.get("outputs").get(0).asString();
        List<double[]> inputs = recorded(name);
        int recordedCount = inputs.size();
        Random r = new Random(20261203L);
        int n = inputs.getFirst().length;
        for (int k = 0; k < 20; k++) {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) r.nextDouble();
            }
            inputs.add(x);
        }
        boolean lenet = name.startsWith("lenet");
        // LeNet: a few samples keep the 25-candidate calibration short; cnn-small: half the recorded inputs
        CompiledCircuit c = CircuitCompiler.compile(m, name, null, new QuantizationSettings(null, null, pixelRanges(n),
                inputs.subList(0, lenet ? 4 : recordedCount / 2)));
        double bound = c.quantization().errorBound();
        int agree = 0;
        int decided = 0;
        int same = 0;
        int sameRecorded = 0;
        byte[] probe = OnnxRuntimeAgreementTest.withOutput(bytes, "logits");
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(probe, new OrtSession.SessionOptions())) {
            for (int k = 0; k < inputs.size(); k++) {
                double[] x = inputs.get(k);
                Map<String, Object> ort = OnnxRuntimeAgreementTest.run(s, x);
                double[] want = (double[]) ort.get("logits");
                double[] ours = net.evaluate(x);
                for (int j = 0; j < want.length; j++) {
                    OnnxRuntimeAgreementTest.close(ours[j], want[j], name + " input " + k + " logit " + j);
                }
                assertThat(m.predict(x).label()).as("%s input %d", name, k).isEqualTo(ort.get(label));
                if (k < recordedCount) {
                    assertThat(ort.get(label)).isEqualTo(Long.toString(exp.get("cases").get(k).get(label).get(0).asLong()));
                }
                double[] circ = circuitScores(c, x);
                for (int j = 0; j < want.length; j++) {
                    assertThat(Math.abs(circ[j] - ours[j])).as("%s input %d score %d within the bound %s", name, k, j, bound)
                            .isLessThanOrEqualTo(bound);
                }
                if (c.predict(x).label().equals(ort.get(label))) {
                    same++;
                    sameRecorded += k < recordedCount ? 1 : 0;
                }
                double[] sorted = want.clone();
                Arrays.sort(sorted);
                if (sorted[sorted.length - 1] - sorted[sorted.length - 2] > 2 * bound + 1e-4) {
                    decided++;
                    if (c.predict(x).label().equals(ort.get(label))) {
                        agree++;
                    }
                }
            }
        }
        assertThat(agree).as("labels where the margin exceeds twice the bound").isEqualTo(decided);
        System.out.printf("%s: error bound %s, %d of %d inputs decided by the bound, circuit label = ONNX Runtime's on %d "
                + "(%d of the %d recorded)%n", name, bound, decided, inputs.size(), same, sameRecorded, recordedCount);
        // the recorded inputs are drawn like the training images; the seeded ones are uniform noise with small margins
        assertThat(sameRecorded).as("the circuit's label is ONNX Runtime's on the recorded inputs").isGreaterThanOrEqualTo(recordedCount * 95 / 100);
        assertThat(same).as("and on most of the noise inputs").isGreaterThanOrEqualTo(inputs.size() * 85 / 100);
    }

    @Test
    void lenet_compiles_with_its_constraints_per_layer() throws Exception {
        ImportedModel m = read(OnnxModelReaderTest.bytes("lenet5-28x28"));
        CompiledCircuit c = CircuitCompiler.compile(m, "lenet", null, new QuantizationSettings(null, null, pixelRanges(784), null));
        QuantizationReport.Network nw = c.quantization().network();
        assertThat(nw.layers()).extracting(QuantizationReport.NetworkLayer::name).containsExactly("/conv1/Conv", "/relu1/Relu",
                "/pool1/MaxPool", "/conv2/Conv", "/relu2/Relu", "/pool2/MaxPool", "/fc1/Gemm", "/relu3/Relu", "/fc2/Gemm", "/relu4/Relu",
                "/fc3/Gemm");
        long sum = nw.inputConstraints() + nw.layers().stream().mapToLong(QuantizationReport.NetworkLayer::constraints).sum();
        // + the argmax and the one public output
        assertThat(nw.constraints()).isGreaterThan(sum).isLessThan(sum + 1000);
        assertThat(nw.layers().getFirst().constraints()).as("conv1 with its pool, rescale and ReLU").isPositive();
        // far below circom's published 2.56 M constraints for a LeNet (docs/benchmarks.md)
        assertThat(nw.constraints()).isLessThan(400_000);
        assertThat(c.ir().ops()).extracting(IrOp::op).startsWith("reshape", "conv2d", "maxpool2d", "rescale", "relu", "conv2d", "maxpool2d");
    }

    @Test
    void a_regression_cnn_and_argmax_on_request() throws Exception {
        // cnn-small without its ArgMax: a score vector (regression-like); "output": "argmax" makes it a classifier again
        byte[] scores = dropLast(OnnxModelReaderTest.bytes("cnn-small"), "logits");
        ImportedModel m = read(scores);
        assertThat(m.task()).isEqualTo(Task.REGRESSION);
        assertThat(m.outputs()).containsExactly("logits[0]", "logits[1]", "logits[2]");
        List<double[]> inputs = recorded("cnn-small");
        CompiledCircuit reg = CircuitCompiler.compile(m, "r", null, new QuantizationSettings(null, null, pixelRanges(64), inputs.subList(0, 10)));
        double bound = reg.quantization().errorBound();
        ConvNetStructure net = (ConvNetStructure) m.structure();
        for (double[] x : inputs) {
            double[] f = net.evaluate(x);
            Map<String, Double> y = reg.predict(x).values();
            for (int j = 0; j < 3; j++) {
                assertThat(Math.abs(y.get("logits[" + j + "]") - f[j])).isLessThanOrEqualTo(bound);
            }
        }
        CompiledCircuit cls = CircuitCompiler.compile(m, "c", null, new QuantizationSettings(null, null, pixelRanges(64), inputs.subList(0, 10)),
                true, List.of("h", "v", "d"));
        assertThat(cls.predict(inputs.getFirst()).label()).isIn("h", "v", "d");
    }

    // --- refusals -------------------------------------------------------------------------------

    static byte[] dropLast(byte[] onnx, String newOutput) throws Exception {
        ModelProto m = ModelProto.parseFrom(onnx);
        GraphProto g = m.getGraph();
        GraphProto.Builder b = g.toBuilder().removeNode(g.getNodeCount() - 1).clearOutput()
                .addOutput(ai.onnx.proto.OnnxMl.ValueInfoProto.newBuilder().setName(newOutput));
        return m.toBuilder().setGraph(b).build().toByteArray();
    }

    /** cnn-small with node {@code node} changed. */
    static byte[] withNode(String node, UnaryOperator<NodeProto.Builder> f) throws Exception {
        ModelProto m = ModelProto.parseFrom(OnnxModelReaderTest.bytes("cnn-small"));
        GraphProto.Builder g = m.getGraph().toBuilder();
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getName().equals(node)) {
                g.setNode(i, f.apply(g.getNode(i).toBuilder()).build());
            }
        }
        return m.toBuilder().setGraph(g).build().toByteArray();
    }

    static NodeProto.Builder set(NodeProto.Builder n, String name, long... ints) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        if (ints.length == 1 && !name.equals("dilations") && !name.equals("pads") && !name.equals("strides")) {
            a.setType(AttributeProto.AttributeType.INT).setI(ints[0]);
        } else {
            a.setType(AttributeProto.AttributeType.INTS);
            for (long v : ints) {
                a.addInts(v);
            }
        }
        for (int i = 0; i < n.getAttributeCount(); i++) {
            if (n.getAttribute(i).getName().equals(name)) {
                n.setAttribute(i, a);
                return n;
            }
        }
        return n.addAttribute(a);
    }

    static void refusedNaming(byte[] onnx, String node, String attribute) {
        assertThatThrownBy(() -> read(onnx)).isInstanceOfSatisfying(ModelFormatException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_OPERATOR);
            assertThat(e.unsupportedOperators()).hasSize(1);
            assertThat(e.unsupportedOperators().getFirst().node()).isEqualTo(node);
            assertThat(e.unsupportedOperators().getFirst().opType()).contains(attribute);
            assertThat(e.getMessage()).contains(node);
        });
    }

    @Test
    void unsupported_attributes_are_refused_naming_the_node_and_the_attribute() throws Exception {
        refusedNaming(withNode("/conv1/Conv", n -> set(n, "dilations", 2, 2)), "/conv1/Conv", "dilations");
        refusedNaming(withNode("/conv2/Conv", n -> set(n, "group", 2)), "/conv2/Conv", "group");
        refusedNaming(withNode("/pool1/MaxPool", n -> set(n, "ceil_mode", 1)), "/pool1/MaxPool", "ceil_mode");
        refusedNaming(withNode("/pool1/MaxPool", n -> set(n, "dilations", 2, 2)), "/pool1/MaxPool", "dilations");
        refusedNaming(withNode("/pool1/MaxPool", n -> n.addOutput("indices")), "/pool1/MaxPool", "Indices");
        refusedNaming(withNode("/avg/AveragePool", n -> set(n, "ceil_mode", 1)), "/avg/AveragePool", "ceil_mode");
        refusedNaming(withNode("/avg/AveragePool", n -> set(n, "pads", 3, 3, 3, 3)), "/avg/AveragePool", "pads");
        refusedNaming(withNode("/conv1/Conv", n -> n.addAttribute(AttributeProto.newBuilder().setName("auto_pad")
                .setType(AttributeProto.AttributeType.STRING).setS(com.google.protobuf.ByteString.copyFromUtf8("SAME_UPPER")))),
                "/conv1/Conv", "auto_pad");
        // storage_order only concerns the Indices output: with Y alone it changes nothing and is accepted
        assertThat(read(withNode("/pool1/MaxPool", n -> set(n, "storage_order", 1))).structure()).isInstanceOf(ConvNetStructure.class);
        // an operator the CNN reader does not take: every such node listed
        assertThatThrownBy(() -> read(withNode("/relu2/Relu", n -> n.setOpType("Sigmoid"))))
                .isInstanceOfSatisfying(ModelFormatException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_OPERATOR);
                    assertThat(e.unsupportedOperators()).extracting(ModelFormatException.UnsupportedOperator::node).containsExactly("/relu2/Relu");
                });
        // a skip connection (the pool reads the Conv's input, not its output)
        assertThatThrownBy(() -> read(withNode("/pool1/MaxPool", n -> n.setInput(0, "n1").setInput(0, "input"))))
                .isInstanceOfSatisfying(ModelFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_MODEL_TYPE));
    }

    @Test
    void calibration_reports_every_candidate() throws Exception {
        ImportedModel m = read(OnnxModelReaderTest.bytes("cnn-small"));
        List<double[]> inputs = recorded("cnn-small");
        CompiledCircuit c = CircuitCompiler.compile(m, "cal", null, new QuantizationSettings(null, null, pixelRanges(64), inputs.subList(0, 20)));
        QuantizationReport.Calibration cal = c.quantization().network().calibration();
        assertThat(cal.candidates()).hasSizeGreaterThan(10);
        assertThat(cal.candidates()).filteredOn(QuantizationReport.Candidate::chosen).hasSize(1);
        assertThat(cal.targetMet()).isTrue();
    }
}
