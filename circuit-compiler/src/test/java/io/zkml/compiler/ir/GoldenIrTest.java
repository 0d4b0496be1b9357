package io.zkml.compiler.ir;

import io.zkml.compiler.InputValidationException;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The golden files of testdata/golden/ir-v1, shared with the Go tests. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class GoldenIrTest {

    static final Path GOLDEN = Path.of("..", "testdata", "golden", "ir-v1");
    static final JsonMapper JSON = JsonMapper.builder().build();

    static Stream<String> goldenNames() throws IOException {
        try (Stream<Path> files = Files.list(GOLDEN)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".ir.json"))
                    .map(n -> n.substring(0, n.length() - ".ir.json".length()))
                    .sorted().toList();
            assertThat(names).as("golden IR files in " + GOLDEN.toAbsolutePath()).isNotEmpty();
            return names.stream();
        }
    }

    static byte[] irBytes(String name) throws IOException {
        return Files.readAllBytes(GOLDEN.resolve(name + ".ir.json"));
    }

    static List<BigInteger> ints(JsonNode array) {
        return array.valueStream().map(n -> new BigInteger(n.stringValue())).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenNames")
    void every_golden_case_evaluates_to_the_expected_output(String name) throws Exception {
        CircuitIr ir = IrReader.read(irBytes(name));
        JsonNode cases = JSON.readTree(GOLDEN.resolve(name + ".cases.json").toFile());
        assertThat(cases.get("ir").stringValue()).isEqualTo(name + ".ir.json");
        assertThat(cases.get("cases").size()).isPositive();
        for (JsonNode c : cases.get("cases")) {
            List<BigInteger> input = ints(c.get("input"));
            assertThat(ReferenceEvaluator.evaluate(ir, input)).as("%s on %s", name, input).isEqualTo(ints(c.get("output")));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenNames")
    void every_golden_invalid_case_is_rejected_with_its_error_kind(String name) throws Exception {
        CircuitIr ir = IrReader.read(irBytes(name));
        JsonNode cases = JSON.readTree(GOLDEN.resolve(name + ".cases.json").toFile());
        assertThat(cases.get("invalid").size()).isPositive();
        for (JsonNode c : cases.get("invalid")) {
            List<BigInteger> input = ints(c.get("input"));
            InputValidationException e = catchThrowableOfType(InputValidationException.class,
                    () -> ReferenceEvaluator.evaluate(ir, input));
            assertThat(e).as("%s on %s", name, input).isNotNull();
            assertThat(e.reason().code()).isEqualTo(c.get("error").stringValue());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenNames")
    void writing_a_golden_file_back_gives_the_same_bytes(String name) throws Exception {
        byte[] bytes = irBytes(name);
        assertThat(new String(IrWriter.write(IrReader.read(bytes)))).isEqualTo(new String(bytes));
        assertThat(IrWriter.write(IrReader.read(bytes))).isEqualTo(bytes);
    }

    @Test
    void the_worked_example_of_the_spec_gives_label_medium_and_its_public_inputs() throws Exception {
        CircuitIr ir = IrReader.read(irBytes("classifier-3x4"));
        List<BigInteger> x = List.of(BigInteger.valueOf(-1), BigInteger.ZERO, BigInteger.ZERO, BigInteger.TWO);

        var all = ReferenceEvaluator.evaluateAll(ir, x);

        assertThat(all.get("acc")).containsExactly(BigInteger.valueOf(-3), BigInteger.valueOf(3), BigInteger.valueOf(3));
        assertThat(all.get("label")).containsExactly(BigInteger.ONE);
        assertThat(ir.labels().get(1)).isEqualTo("medium");
        assertThat(ReferenceEvaluator.publicInputs(x, all.get("label")))
                .extracting(BigInteger::toString)
                .containsExactly("21888242871839275222246405745257275088548364400416034343698204186575808495616",
                        "0", "0", "2", "1");
    }

    @Test
    void the_circuit_hash_is_the_sha256_of_the_file_bytes() throws Exception {
        var circuit = io.zkml.compiler.CompiledCircuit.fromIr(irBytes("regressor-2x3"));
        assertThat(circuit.circuitHash()).matches("[0-9a-f]{64}")
                .isEqualTo(java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(irBytes("regressor-2x3"))));
    }

    @Test
    void an_out_of_range_input_names_the_element_feature_and_allowed_range() throws Exception {
        CircuitIr ir = IrReader.read(irBytes("classifier-3x4"));
        assertThatThrownBy(() -> ReferenceEvaluator.evaluate(ir,
                List.of(BigInteger.ZERO, BigInteger.ZERO, BigInteger.valueOf(1024), BigInteger.ZERO)))
                .isInstanceOf(InputValidationException.class)
                .hasMessageContaining("x[2]").hasMessageContaining("\"f2\"").hasMessageContaining("[0, 1023]");
    }
}
