package io.zkml.compiler;

import io.zkml.compiler.ir.CircuitIr;
import io.zkml.compiler.ir.IrReader;
import io.zkml.compiler.ir.IrTensor;
import io.zkml.compiler.ir.IrValidationException;
import io.zkml.compiler.ir.Visibility;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.zkml.compiler.InputVisibilityTest.demo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 8, hashed weights: the dense weights and biases become hashed constants (declared ranges,
 * no values in the IR), the private weights travel beside the IR, and one commitment (domain
 * zkml-weights-v1, its own salt) is a public input. The golden files of
 * testdata/golden/hashed-weights (Python, generate.py; the Go circuit proves every case) are the
 * reference: the Java evaluator and commitments must give exactly their numbers.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HashedWeightsTest {

    static final Path GOLDEN = Path.of("..", "testdata", "golden", "hashed-weights");
    static final JsonMapper JSON = JsonMapper.builder().build();

    static List<BigInteger> ints(JsonNode a) {
        List<BigInteger> out = new ArrayList<>();
        a.forEach(v -> out.add(new BigInteger(v.asString())));
        return out;
    }

    static Map<String, List<BigInteger>> weights(JsonNode w) {
        Map<String, List<BigInteger>> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : w.properties()) {
            out.put(e.getKey(), ints(e.getValue()));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"linear-3x4-hashed-weights", "linear-2x3-hashed-weights-and-inputs", "mlp-relu-hashed-weights"})
    void the_java_reference_gives_the_golden_outputs_and_public_inputs(String name) throws Exception {
        byte[] irBytes = Files.readAllBytes(GOLDEN.resolve(name + ".ir.json"));
        JsonNode cases = JSON.readTree(Files.readAllBytes(GOLDEN.resolve(name + ".cases.json")));
        CircuitIr ir = IrReader.read(irBytes);
        assertThat(new String(irBytes, StandardCharsets.UTF_8)).doesNotContain("\"values\"");
        List<String> hashed = name.startsWith("mlp") ? List.of("w1", "b1", "w2", "b2") : List.of("weight", "bias");
        assertThat(ir.hashedConstants()).extracting(IrTensor::name).containsExactlyElementsOf(hashed);
        assertThat(ir.commitments().getLast()).isEqualTo(new CircuitIr.Commitment("weights_commitment", "zkml-weights-v1", hashed));
        int n = 0;
        for (JsonNode c : cases.get("cases")) {
            CompiledCircuit cc = CompiledCircuit.fromIr(irBytes, weights(c.get("weights")));
            List<BigInteger> x = ints(c.get("input"));
            BigInteger wSalt = new BigInteger(c.get("weightsSalt").asString());
            BigInteger salt = c.has("salt") ? new BigInteger(c.get("salt").asString()) : null;
            assertThat(cc.evaluate(x)).as("case %d", n).isEqualTo(ints(c.get("output")));
            assertThat(cc.weightsCommitment(wSalt)).contains(new BigInteger(c.get("weightsCommitment").asString()));
            assertThat(cc.publicInputs(x, salt, null, wSalt)).as("case %d", n).isEqualTo(ints(c.get("publicInputs")));
            n++;
        }
        assertThat(n).isGreaterThan(20);
        for (JsonNode c : cases.get("invalid")) {
            assertThatThrownBy(() -> CompiledCircuit.fromIr(irBytes, weights(c.get("weights"))))
                    .isInstanceOf(IrValidationException.class)
                    .hasMessageContaining(c.get("error").asString().equals("weight_out_of_range") ? "out of its declared range" : "needs");
        }
        // Read without the weights, the circuit cannot evaluate.
        assertThatThrownBy(() -> CompiledCircuit.fromIr(irBytes).evaluate(ir.inputLo())).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"credit-risk", "eth-price"})
    void hashing_the_weights_of_a_demo_keeps_its_answers_and_takes_the_values_out_of_the_ir(String name) throws Exception {
        CompiledCircuit fixed = demo(name);
        CompiledCircuit hashed = fixed.withHashedWeights(CompiledCircuit.DEFAULT_HASHED_WEIGHT_BITS,
                CompiledCircuit.DEFAULT_HASHED_BIAS_BITS);
        CircuitIr ir = hashed.ir();
        assertThat(hashed.hashedWeights()).isTrue();
        assertThat(new String(hashed.irJson(), StandardCharsets.UTF_8)).doesNotContain("\"values\"").doesNotContain("sha256");
        assertThat(ir.source()).isNull();
        assertThat(ir.publicSize()).isEqualTo(fixed.ir().publicSize() + 1);
        assertThat(IrReader.read(hashed.irJson())).isEqualTo(ir);
        for (List<BigInteger> x : List.of(ir.inputLo(), ir.inputHi(), mid(ir))) {
            assertThat(hashed.evaluate(x)).isEqualTo(fixed.evaluate(x));
        }
        BigInteger salt = BigInteger.valueOf(42);
        BigInteger c = hashed.weightsCommitment(salt).orElseThrow();
        assertThat(hashed.publicInputs(ir.inputHi(), null, null, salt))
                .containsExactlyElementsOf(concat(ir.inputHi(), c, fixed.evaluate(ir.inputHi())));
        assertThat(hashed.weightsCommitment(salt.add(BigInteger.ONE)).orElseThrow()).isNotEqualTo(c);
        // The stored form: the weights file round-trips and is tied to the circuit hash.
        byte[] w = HashedWeights.write(hashed);
        CompiledCircuit back = CompiledCircuit.fromIr(hashed.irJson(), HashedWeights.read(w, hashed.circuitHash()));
        assertThat(back.weightsCommitment(salt)).contains(c);
        assertThatThrownBy(() -> HashedWeights.read(w, fixed.circuitHash())).hasMessageContaining("written for circuit");
        // Hashed inputs and hashed weights: input commitment, then weights commitment.
        CompiledCircuit both = fixed.withInputVisibility(Visibility.HASHED).withHashedWeights(22, 64);
        assertThat(both.ir().commitments()).extracting(CircuitIr.Commitment::domain).containsExactly("zkml-inputs-v1", "zkml-weights-v1");
        assertThat(both.publicInputs(ir.inputHi(), BigInteger.TWO, null, salt).get(1)).isEqualTo(c);
    }

    @Test
    void two_models_of_one_architecture_get_one_circuit_and_two_weights_commitments() throws Exception {
        QuantizationSettings s = new QuantizationSettings(8, 10, CircuitCompilerTest.UNIT, null);
        CompiledCircuit a = CircuitCompiler.compile(CircuitCompilerTest.classifier(new double[][]{{0.5, -1}, {1, 0.25}, {-0.75, 0.5}},
                new double[]{0.1, 0, -0.2}), "m", null, s).withHashedWeights(16, 40);
        CompiledCircuit b = CircuitCompiler.compile(CircuitCompilerTest.classifier(new double[][]{{-0.5, 0.125}, {0.3, 0.9}, {1.5, -1.5}},
                new double[]{0, 0.5, 0.25}), "m", null, s).withHashedWeights(16, 40);
        assertThat(b.irJson()).isEqualTo(a.irJson());
        assertThat(b.circuitHash()).isEqualTo(a.circuitHash());
        assertThat(b.weights()).isNotEqualTo(a.weights());
        assertThat(b.weightsCommitment(BigInteger.ONE)).isNotEqualTo(a.weightsCommitment(BigInteger.ONE));
        List<BigInteger> x = List.of(BigInteger.valueOf(256), BigInteger.valueOf(-256));
        assertThat(a.evaluate(x)).isNotEqualTo(b.evaluate(x)); // the circuit is shared, the answers are each model's
    }

    /** Networks (ONNX Gemm/MatMul, relu): every dense layer's weights and biases are hashed; the answers stay the network's. */
    @ParameterizedTest
    @ValueSource(strings = {"mlp-softmax", "mlp-regressor"})
    void an_onnx_network_hashes_every_layer_and_keeps_its_answers(String name) throws Exception {
        CompiledCircuit fixed = NetworkCompilerTest.compiled(name);
        CompiledCircuit hashed = fixed.withHashedWeights(CompiledCircuit.DEFAULT_HASHED_WEIGHT_BITS, CompiledCircuit.DEFAULT_HASHED_BIAS_BITS);
        CircuitIr ir = hashed.ir();
        long dense = ir.ops().stream().filter(o -> o.op().equals("dense")).count();
        assertThat(ir.hashedConstants()).hasSize((int) (2 * dense));
        assertThat(new String(hashed.irJson(), StandardCharsets.UTF_8)).doesNotContain("\"values\"");
        assertThat(IrReader.read(hashed.irJson())).isEqualTo(ir);
        for (List<BigInteger> x : List.of(ir.inputLo(), ir.inputHi(), mid(ir))) {
            assertThat(hashed.evaluate(x)).isEqualTo(fixed.evaluate(x));
        }
        assertThat(hashed.weightsCommitment(BigInteger.TEN)).isPresent();
    }

    @Test
    void trees_and_weights_outside_their_declared_width_are_refused() throws Exception {
        assertThatThrownBy(() -> demo("credit-forest").withHashedWeights(22, 64))
                .isInstanceOf(CompilationException.class)
                .hasMessageContaining("linear models and networks");
        // The default compile gives weights up to 2^20: 8 declared bits cannot hold them.
        assertThatThrownBy(() -> demo("credit-risk").withHashedWeights(8, 64))
                .isInstanceOf(CompilationException.class)
                .hasMessageContaining("outside its declared 8-bit range");
    }

    static List<BigInteger> mid(CircuitIr ir) {
        List<BigInteger> out = new ArrayList<>();
        for (int i = 0; i < ir.inputSize(); i++) {
            out.add(ir.inputLo().get(i).add(ir.inputHi().get(i)).shiftRight(1));
        }
        return out;
    }

    static List<BigInteger> concat(List<BigInteger> a, BigInteger c, List<BigInteger> b) {
        List<BigInteger> out = new ArrayList<>();
        a.forEach(v -> out.add(v.mod(CircuitIr.BN254_R)));
        out.add(c);
        b.forEach(v -> out.add(v.mod(CircuitIr.BN254_R)));
        return out;
    }
}
