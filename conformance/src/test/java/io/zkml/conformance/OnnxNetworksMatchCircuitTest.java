package io.zkml.conformance;

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
    @CsvSource({"mlp-tabular, 100, 20", "mlp-softmax, 100, 20", "mlp-regressor, 100, 20", "mnist-mlp-784-56-10, 4, 4"})
    void java_reference_and_gnark_circuit_agree(String name, int randomInputs, int recordedInputs) throws Exception {
        Path dir = ReferenceMatchesCircuitTest.repositoryRoot().resolve("testdata/onnx");
        ImportedModel model = OnnxModelReader.read(Files.readAllBytes(dir.resolve(name + ".onnx")), null);
        JsonNode exp = JsonMapper.builder().build().readTree(dir.resolve(name + ".expected.json").toFile());
        List<double[]> recorded = new ArrayList<>();
        for (JsonNode c : exp.get("cases")) {
            double[] x = new double[c.get("input").size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = c.get("input").get(i).asDouble();
            }
            recorded.add(x);
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
        Path d = Files.createTempDirectory(keys, name);
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
}
