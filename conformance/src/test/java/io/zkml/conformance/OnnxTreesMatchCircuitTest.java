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
import org.junit.jupiter.params.provider.ValueSource;
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
 * Bit-exact agreement for the ONNX tree ensembles of testdata/onnx/ (issue 6b: ai.onnx.ml
 * TreeEnsembleClassifier / TreeEnsembleRegressor from skl2onnx and onnxmltools): on the range
 * corners, on recorded inputs (random ones and threshold probes) and on seeded random integer inputs,
 * the Java reference evaluator and the gnark circuit give the same integers; every proof verifies,
 * and one with a changed output does not.
 */
class OnnxTreesMatchCircuitTest {

    static Groth16Prover prover;
    @TempDir
    static Path keys;

    @BeforeAll
    static void loadProver() {
        prover = Groth16Prover.load();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sklearn-random-forest-classifier", "sklearn-gradient-boosting-classifier",
            "sklearn-random-forest-regressor", "xgboost-classifier", "lightgbm-classifier",
            "sklearn-decision-tree-classifier", "sklearn-hist-gradient-boosting-classifier"})
    void java_reference_and_gnark_circuit_agree(String name) throws Exception {
        Path dir = ReferenceMatchesCircuitTest.repositoryRoot().resolve("testdata/onnx");
        ImportedModel model = OnnxModelReader.readModel(Files.readAllBytes(dir.resolve(name + ".onnx")), null, null);
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
            ranges.add(new FeatureRange(-5, 5));
        }
        CompiledCircuit compiled = CircuitCompiler.compile(model, name, null, new QuantizationSettings(null, null, ranges, null));
        byte[] bytes = compiled.irJson();
        CircuitIr ir = compiled.ir();
        List<List<BigInteger>> inputs = new ArrayList<>();
        inputs.add(ir.inputLo());
        inputs.add(ir.inputHi());
        for (int k = 0; k < recorded.size(); k += recorded.size() / 8) {
            inputs.add(compiled.quantizeInput(recorded.get(k)));
        }
        inputs.add(compiled.quantizeInput(recorded.getLast())); // a threshold probe
        Random random = new Random(ReferenceMatchesCircuitTest.SEED ^ IrWriter.sha256Hex(bytes).hashCode());
        for (int k = 0; k < 6; k++) {
            List<BigInteger> x = new ArrayList<>(n);
            for (int j = 0; j < n; j++) {
                x.add(ReferenceMatchesCircuitTest.uniform(random, ir.inputLo().get(j), ir.inputHi().get(j)));
            }
            inputs.add(x);
        }
        Path d = Files.createTempDirectory(keys, name);
        try (ConstraintSystem cs = prover.compile(bytes)) {
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
