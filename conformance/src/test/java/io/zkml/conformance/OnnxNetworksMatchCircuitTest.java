package io.zkml.conformance;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.FeatureRange;
import io.zkml.compiler.QuantizationSettings;
import io.zkml.compiler.ir.CircuitIr;
import io.zkml.compiler.ir.IrWriter;
import io.zkml.compiler.ir.ReferenceEvaluator;
import io.zkml.compiler.model.ImportedModel;
import io.zkml.compiler.onnx.OnnxModelReader;
import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.Proof;
import io.zkml.prover.ProvingKey;
import io.zkml.prover.VerifyingKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bit-exact agreement for networks: each ONNX model of testdata/onnx/ is compiled by the network
 * compiler (calibrated on half of its recorded inputs), and on its corner inputs, on the recorded
 * inputs and on seeded random integer inputs of its range, the Java reference evaluator and the
 * gnark circuit give the same integers; every proof verifies, and a proof with a changed output
 * does not. The compiler's constraint estimate equals gnark's count.
 */
class OnnxNetworksMatchCircuitTest {

    static Groth16Prover prover;
    @TempDir
    static Path keys;

    @BeforeAll
    static void loadProver() {
        prover = Groth16Prover.load();
    }

    @ParameterizedTest
    @CsvSource({"mlp-tabular, 100, 20", "mlp-softmax, 100, 20", "mlp-regressor, 100, 20", "mnist-mlp-784-56-10, 4, 4", "mlp-activations, 6, 4", "sklearn-mlp-classifier, 30, 6",
            "built:leaky, 40, 6", "built:relu6-cls, 40, 6", "built:clip, 40, 6", "built:clip-out, 40, 6", "cnn-small, 100, 6"})
    void java_reference_and_gnark_circuit_agree(String name, int randomInputs, int recordedInputs) throws Exception {
        ImportedModel model;
        List<double[]> recorded = new ArrayList<>();
        if (name.startsWith("built:")) {
            // LeakyRelu / Clip networks built here (no generate.py fixture): seeded inputs stand in for recorded ones
            model = OnnxModelReader.read(network(name.substring(6)), null);
            Random r = new Random(name.hashCode());
            for (int k = 0; k < 40; k++) {
                recorded.add(new double[]{r.nextDouble() * 4 - 2, r.nextDouble() * 4 - 2, r.nextDouble() * 4 - 2});
            }
        } else {
            Path dir = ReferenceMatchesCircuitTest.repositoryRoot().resolve("testdata/onnx");
            model = OnnxModelReader.readModel(Files.readAllBytes(dir.resolve(name + ".onnx")), null, null);
            JsonNode exp = JsonMapper.builder().build().readTree(dir.resolve(name + ".expected.json").toFile());
            for (JsonNode c : exp.get("cases")) {
                double[] x = new double[c.get("input").size()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = c.get("input").get(i).asDouble();
                }
                recorded.add(x);
            }
        }
        int n = recorded.getFirst().length;
        List<FeatureRange> ranges = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (double[] x : recorded) {
                min = Math.min(min, x[i]);
                max = Math.max(max, x[i]);
            }
            ranges.add(new FeatureRange(min - 0.1 * (max - min) - (max == min ? 1 : 0), max + 0.1 * (max - min) + (max == min ? 1 : 0)));
        }
        CompiledCircuit compiled = CircuitCompiler.compile(model, name, null,
                new QuantizationSettings(null, null, ranges, recorded.subList(0, recorded.size() / 2)));
        byte[] bytes = compiled.irJson();
        CircuitIr ir = compiled.ir();

        List<List<BigInteger>> inputs = new ArrayList<>();
        inputs.add(ir.inputLo());
        inputs.add(ir.inputHi());
        for (int k = 0; k < recorded.size(); k += Math.max(1, recorded.size() / recordedInputs)) {
            inputs.add(compiled.quantizeInput(recorded.get(k)));
        }
        Random random = new Random(ReferenceMatchesCircuitTest.SEED ^ IrWriter.sha256Hex(bytes).hashCode());
        for (int k = 0; k < randomInputs; k++) {
            List<BigInteger> x = new ArrayList<>(n);
            for (int j = 0; j < n; j++) {
                x.add(ReferenceMatchesCircuitTest.uniform(random, ir.inputLo().get(j), ir.inputHi().get(j)));
            }
            inputs.add(x);
        }
        Path d = Files.createTempDirectory(keys, name.replace(':', '-'));
        try (ConstraintSystem cs = prover.compile(bytes)) {
            assertThat((long) cs.constraints()).as("the compiler's estimate is gnark's count")
                    .isEqualTo(compiled.quantization().network().constraints());
            prover.setup(cs, d.resolve("pk"), d.resolve("vk"));
            try (ProvingKey pk = prover.loadProvingKey(d.resolve("pk"));
                 VerifyingKey vk = prover.loadVerifyingKey(d.resolve("vk"))) {
                boolean tampered = false;
                for (List<BigInteger> x : inputs) {
                    List<BigInteger> expected = ReferenceEvaluator.evaluate(ir, x);
                    Proof proof = prover.prove(cs, pk, x);
                    assertThat(proof.outputs()).as("%s output for input %s", name, x).isEqualTo(expected);
                    List<BigInteger> pub = proof.publicInputs().stream().map(BigInteger::new).toList();
                    assertThat(pub).isEqualTo(ReferenceEvaluator.publicInputs(x, expected));
                    assertThat(prover.verify(vk, proof.solidityProof(), pub)).isTrue();
                    if (!tampered) {
                        List<BigInteger> wrong = new ArrayList<>(pub);
                        wrong.set(wrong.size() - 1, wrong.getLast().add(BigInteger.ONE));
                        assertThat(prover.verify(vk, proof.solidityProof(), wrong)).as("a changed output").isFalse();
                        tampered = true;
                    }
                }
            }
        }
    }

    // --- LeakyRelu / Clip networks: Gemm(3 -> 5), the activation, Gemm(5 -> 3), then ArgMax, the scores or the activation

    static TensorProto init(String name, long[] dims, double... v) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
        for (long x : dims) {
            t.addDims(x);
        }
        for (double x : v) {
            t.addFloatData((float) x);
        }
        return t.build();
    }

    static ValueInfoProto io(String name, int elem, boolean vector) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        if (vector) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(3));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elem).setShape(s))).build();
    }

    static NodeProto gemm(String name, String in, String w, String b, String out) {
        return NodeProto.newBuilder().setOpType("Gemm").setName(name).addInput(in).addInput(w).addInput(b).addOutput(out)
                .addAttribute(AttributeProto.newBuilder().setName("transB").setType(AttributeProto.AttributeType.INT).setI(1)).build();
    }

    static byte[] network(String kind) {
        List<TensorProto> inits = new ArrayList<>(List.of(
                init("w1", new long[]{5, 3}, 1, -1, 0.5, 2, -1.5, 0.25, -0.75, 1, 1.25, 0.5, 0.5, -2, -1, 0.25, 0.75),
                init("b1", new long[]{5}, 0.1, -0.3, 0.2, 0.5, -0.1),
                init("w2", new long[]{3, 5}, 1, -2, 0.5, 0.3, -1, -0.75, 1, 1.25, 0.5, 0.2, 0.4, -0.6, 1, -1, 0.8),
                init("b2", new long[]{3}, -0.2, 0.1, 0.05)));
        boolean leaky = kind.startsWith("leaky");
        NodeProto.Builder a = NodeProto.newBuilder().setOpType(leaky ? "LeakyRelu" : "Clip").setName("act").addInput("h").addOutput("ha");
        if (leaky) {
            a.addAttribute(AttributeProto.newBuilder().setName("alpha").setType(AttributeProto.AttributeType.FLOAT).setF(0.1f));
        } else if (kind.startsWith("relu6")) {
            inits.add(init("lo", new long[0], 0));
            inits.add(init("hi", new long[0], 1.5));
            a.addInput("lo").addInput("hi");
        } else {
            inits.add(init("lo", new long[0], -0.5));
            inits.add(init("hi", new long[0], 1.0));
            a.addInput("lo").addInput("hi");
        }
        List<NodeProto> nodes = new ArrayList<>(List.of(gemm("g1", "x", "w1", "b1", "h"), a.build(), gemm("g2", "ha", "w2", "b2", "s")));
        ValueInfoProto out = io("s", TensorProto.DataType.FLOAT_VALUE, true);
        if (kind.endsWith("-cls")) {
            nodes.add(NodeProto.newBuilder().setOpType("ArgMax").setName("argmax").addInput("s").addOutput("label")
                    .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(1)).build());
            out = io("label", TensorProto.DataType.INT64_VALUE, false);
        } else if (kind.endsWith("-out")) {
            NodeProto.Builder o = a.clone().setName("act_out").clearInput().addInput("s").clearOutput().addOutput("y");
            for (int i = 1; i < a.getInputCount(); i++) {
                o.addInput(a.getInput(i));
            }
            nodes.add(o.build());
            out = io("y", TensorProto.DataType.FLOAT_VALUE, true);
        }
        GraphProto g = GraphProto.newBuilder().setName(kind).addAllNode(nodes).addAllInitializer(inits)
                .addInput(io("x", TensorProto.DataType.FLOAT_VALUE, true)).addOutput(out).build();
        return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(g).build().toByteArray();
    }
}
