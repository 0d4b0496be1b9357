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
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The golden files of testdata/golden/ir-v1 (read and lifted) and testdata/golden/ir-v2, shared
 * with the Go tests, with the outputs of the independent Python evaluators ({@code generate.py}).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class GoldenIrTest {

    static final Path GOLDEN = Path.of("..", "testdata", "golden", "ir-v1");
    static final Path GOLDEN_V2 = Path.of("..", "testdata", "golden", "ir-v2");
    static final JsonMapper JSON = JsonMapper.builder().build();

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".ir.json"))
                    .map(n -> n.substring(0, n.length() - ".ir.json".length()))
                    .sorted().toList();
            assertThat(names).as("golden IR files in " + dir.toAbsolutePath()).isNotEmpty();
            return names;
        }
    }

    static Stream<String> goldenNames() throws IOException {
        return names(GOLDEN).stream();
    }

    static Stream<String> v2Names() throws IOException {
        return names(GOLDEN_V2).stream();
    }

    /** Every golden file of both versions, as "ir-v1/name" or "ir-v2/name". */
    static Stream<String> allGolden() throws IOException {
        List<String> all = new ArrayList<>();
        names(GOLDEN).forEach(n -> all.add("ir-v1/" + n));
        names(GOLDEN_V2).forEach(n -> all.add("ir-v2/" + n));
        return all.stream();
    }

    static Path file(String versionAndName, String suffix) {
        return Path.of("..", "testdata", "golden").resolve(versionAndName + suffix);
    }

    static byte[] irBytes(String name) throws IOException {
        return Files.readAllBytes(GOLDEN.resolve(name + ".ir.json"));
    }

    static byte[] v2Bytes(String name) throws IOException {
        return Files.readAllBytes(GOLDEN_V2.resolve(name + ".ir.json"));
    }

    static List<BigInteger> ints(JsonNode array) {
        return array.valueStream().map(n -> new BigInteger(n.stringValue())).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allGolden")
    void every_golden_case_evaluates_to_the_expected_output_and_public_inputs(String name) throws Exception {
        CircuitIr ir = IrReader.read(Files.readAllBytes(file(name, ".ir.json")));
        JsonNode cases = JSON.readTree(file(name, ".cases.json").toFile());
        assertThat(cases.get("ir").stringValue()).isEqualTo(Path.of(name).getFileName() + ".ir.json");
        assertThat(cases.get("cases").size()).isPositive();
        for (JsonNode c : cases.get("cases")) {
            List<BigInteger> input = ints(c.get("input"));
            List<BigInteger> output = ReferenceEvaluator.evaluate(ir, input);
            assertThat(output).as("%s on %s", name, input).isEqualTo(ints(c.get("output")));
            if (c.has("publicInputs")) {
                assertThat(ReferenceEvaluator.publicInputs(input, output)).as("public inputs of %s on %s", name, input)
                        .isEqualTo(ints(c.get("publicInputs")));
            }
            assertThat(c.has("salt")).as("%s: a salt exactly for documents with hashed inputs", name)
                    .isEqualTo(!ir.commitments().isEmpty());
            if (c.has("salt")) {
                BigInteger salt = new BigInteger(c.get("salt").stringValue());
                assertThat(ReferenceEvaluator.commitments(ir, input, List.of(salt))).as("commitment of %s on %s", name, input)
                        .containsExactly(new BigInteger(c.get("commitment").stringValue()));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allGolden")
    void every_golden_invalid_input_is_rejected_with_its_error_kind(String name) throws Exception {
        CircuitIr ir = IrReader.read(Files.readAllBytes(file(name, ".ir.json")));
        JsonNode cases = JSON.readTree(file(name, ".cases.json").toFile());
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
    @MethodSource("v2Names")
    void writing_a_v2_golden_file_back_gives_the_same_bytes(String name) throws Exception {
        byte[] bytes = v2Bytes(name);
        assertThat(new String(IrWriter.write(IrReader.read(bytes)))).isEqualTo(new String(bytes));
        assertThat(IrWriter.write(IrReader.read(bytes))).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("v2Names")
    void the_recomputed_interval_analysis_equals_the_declared_bounds(String name) throws Exception {
        CircuitIr ir = IrReader.read(v2Bytes(name));
        var bounds = IntervalAnalysis.analyse(ir);
        for (IrTensor t : ir.tensors()) {
            if (!t.isConstant()) {
                assertThat(bounds.get(t.name())).as(t.name()).isEqualTo(t.bounds());
            }
        }
    }

    /** Every document of ir-v2/invalid/ (listed with its rule in index.json) is rejected. */
    static Stream<String> invalidV2() throws IOException {
        Path index = GOLDEN_V2.resolve("invalid").resolve("index.json");
        assertThat(index).as("the index of the invalid v2 golden documents").isRegularFile();
        List<String> files = new ArrayList<>();
        for (JsonNode e : JSON.readTree(index.toFile())) {
            files.add(e.get("file").stringValue() + " | " + e.get("rule").stringValue());
        }
        assertThat(files).as(index.toAbsolutePath().toString()).isNotEmpty();
        return files.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidV2")
    void every_invalid_v2_golden_document_is_rejected(String entry) throws Exception {
        String fileName = entry.substring(0, entry.indexOf(" | "));
        byte[] bytes = Files.readAllBytes(GOLDEN_V2.resolve("invalid").resolve(fileName));
        assertThatThrownBy(() -> IrReader.read(bytes)).as(entry).isInstanceOf(IrValidationException.class);
    }

    @Test
    void the_invalid_index_lists_every_document_of_the_folder() throws Exception {
        Path dir = GOLDEN_V2.resolve("invalid");
        assertThat(dir).isDirectory();
        List<String> listed = invalidV2().map(e -> e.substring(0, e.indexOf(" | "))).sorted().toList();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ir.json")).sorted().toList())
                    .isEqualTo(listed);
        }
    }

    @Test
    void v1_golden_files_are_lifted_into_the_v2_graph() throws Exception {
        CircuitIr ir = IrReader.read(irBytes("regressor-2x3"));
        assertThat(ir.version()).isEqualTo(1);
        assertThat(ir.tensors()).extracting(IrTensor::name).containsExactly("x", "acc_weight", "acc_bias", "acc", "y");
        assertThat(ir.tensors()).extracting(IrTensor::role)
                .containsExactly(Role.INPUT, Role.CONSTANT, Role.CONSTANT, Role.INTERMEDIATE, Role.OUTPUT);
        IrTensor w = ir.requireTensor("acc_weight");
        assertThat(w.shape()).containsExactly(2, 3);
        assertThat(w.scale()).isEqualTo(12);
        assertThat(w.values()).extracting(BigInteger::toString).containsExactly("1234", "-567", "89", "-4096", "0", "4095");
        assertThat(ir.requireTensor("acc_bias").scale()).isEqualTo(22);
        assertThat(ir.requireTensor("acc_bias").values()).extracting(BigInteger::toString).containsExactly("2048", "-2049");
        assertThat(ir.ops().getFirst().inputs()).containsExactly("x", "acc_weight", "acc_bias");
        assertThat(ir.requireTensor("y").shape()).containsExactly(2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenNames")
    void a_lifted_v1_document_is_never_written_back(String name) throws Exception {
        CircuitIr ir = IrReader.read(irBytes(name));
        assertThatThrownBy(() -> IrWriter.write(ir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version 2 only");
    }

    @Test
    void the_v1_worked_example_gives_label_medium_and_its_public_inputs() throws Exception {
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
    void the_v2_worked_example_of_the_spec_gives_label_b_and_its_public_inputs() throws Exception {
        CircuitIr ir = IrReader.read(V2Docs.TREE.getBytes());
        List<BigInteger> x = List.of(BigInteger.valueOf(24), BigInteger.valueOf(33));

        var all = ReferenceEvaluator.evaluateAll(ir, x);

        assertThat(all.get("bits")).containsExactly(BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE);
        assertThat(all.get("label")).containsExactly(BigInteger.ONE);
        assertThat(ir.labels().get(1)).isEqualTo("b");
        assertThat(ReferenceEvaluator.publicInputs(x, all.get("label"))).extracting(BigInteger::toString)
                .containsExactly("24", "33", "1");
    }

    @Test
    void the_circuit_hash_is_the_sha256_of_the_file_bytes_for_v1_and_v2() throws Exception {
        for (byte[] bytes : List.of(irBytes("regressor-2x3"), V2Docs.TREE.getBytes())) {
            var circuit = io.zkml.compiler.CompiledCircuit.fromIr(bytes);
            assertThat(circuit.circuitHash()).matches("[0-9a-f]{64}")
                    .isEqualTo(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes)));
        }
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
