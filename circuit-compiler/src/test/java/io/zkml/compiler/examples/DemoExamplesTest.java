package io.zkml.compiler.examples;

import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.QuantizationSettings;
import io.zkml.compiler.ir.IrWriter;
import io.zkml.compiler.tribuo.ImportedModel;
import io.zkml.compiler.tribuo.TribuoModelReader;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The committed files of examples/ are consistent with each other and with this compiler. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DemoExamplesTest {

    static final Path EXAMPLES = Path.of("..", "examples");
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** A demo folder: the model, its settings and its example input. */
    record DemoFiles(String name, byte[] modelBytes, ImportedModel model, QuantizationSettings settings, double[] input) {
        static DemoFiles load(String name) throws Exception {
            Path dir = EXAMPLES.resolve(name);
            byte[] bytes = Files.readAllBytes(dir.resolve("model.tribuo"));
            QuantizationSettings s = JSON.readValue(dir.resolve("quantization.json").toFile(), QuantizationSettings.class);
            double[] input = JSON.treeToValue(JSON.readTree(dir.resolve("input.json").toFile()).get("input"), double[].class);
            return new DemoFiles(name, bytes, TribuoModelReader.read(bytes), s, input);
        }

        CompiledCircuit compile() throws Exception {
            return CircuitCompiler.compile(model, name, IrWriter.sha256Hex(modelBytes), settings);
        }
    }

    @Test
    void every_example_folder_is_one_that_these_tests_check() throws Exception {
        try (Stream<Path> dirs = Files.list(EXAMPLES)) {
            assertThat(dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList())
                    .as("folders of " + EXAMPLES.toAbsolutePath() + " (add a new one to the @ValueSource lists)")
                    .containsExactly("credit-forest", "credit-risk", "eth-price");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"credit-forest", "credit-risk", "eth-price"})
    void the_committed_ir_is_exactly_what_this_compiler_makes_from_the_committed_model(String name) throws Exception {
        DemoFiles demo = DemoFiles.load(name);
        byte[] committed = Files.readAllBytes(EXAMPLES.resolve(name).resolve("circuit.ir.json"));
        assertThat(new String(demo.compile().irJson())).as("regenerate examples/ (see examples/README.md)")
                .isEqualTo(new String(committed));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"credit-forest", "credit-risk", "eth-price"})
    void the_expected_outputs_match_tribuo_and_the_reference_evaluator(String name) throws Exception {
        DemoFiles demo = DemoFiles.load(name);
        JsonNode expected = JSON.readTree(EXAMPLES.resolve(name).resolve("expected.json").toFile());
        CompiledCircuit circuit = demo.compile();

        var fp = demo.model().predict(demo.input());
        if (fp.label() != null) {
            assertThat(expected.at("/floatPrediction/label").stringValue()).isEqualTo(fp.label());
        }
        for (String out : demo.model().outputs()) {
            assertThat(expected.at("/floatPrediction/values/" + out).doubleValue()).isEqualTo(fp.values().get(out));
        }
        List<BigInteger> q = circuit.quantizeInput(demo.input());
        assertThat(strings(q)).isEqualTo(strings(expected.at("/circuit/quantizedInput")));
        assertThat(strings(circuit.evaluate(q))).isEqualTo(strings(expected.at("/circuit/output")));
        assertThat(strings(circuit.publicInputs(q))).isEqualTo(strings(expected.at("/circuit/publicInputs")));
        assertThat(expected.at("/circuit/circuitHash").stringValue()).isEqualTo(circuit.circuitHash());
        assertThat(expected.at("/features").valueStream().map(JsonNode::stringValue).toList()).isEqualTo(demo.model().features());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"credit-forest", "credit-risk", "eth-price"})
    void the_integer_cases_evaluate_as_recorded_and_invalid_ones_fail_with_their_kind(String name) throws Exception {
        CompiledCircuit circuit = CompiledCircuit.fromIr(Files.readAllBytes(EXAMPLES.resolve(name).resolve("circuit.ir.json")));
        JsonNode cases = JSON.readTree(EXAMPLES.resolve(name).resolve("circuit.cases.json").toFile());
        assertThat(cases.get("cases").size()).isGreaterThanOrEqualTo(20);
        for (JsonNode c : cases.get("cases")) {
            List<BigInteger> in = strings(c.get("input")).stream().map(BigInteger::new).toList();
            assertThat(strings(circuit.evaluate(in))).isEqualTo(strings(c.get("output")));
        }
        assertThat(cases.get("invalid").size()).as("invalid cases").isPositive();
        for (JsonNode c : cases.get("invalid")) {
            List<BigInteger> in = strings(c.get("input")).stream().map(BigInteger::new).toList();
            var e = org.assertj.core.api.Assertions.catchThrowableOfType(io.zkml.compiler.InputValidationException.class,
                    () -> circuit.checkQuantizedInput(in));
            assertThat(e).isNotNull();
            assertThat(e.reason().code()).isEqualTo(c.get("error").stringValue());
        }
    }

    static List<String> strings(List<BigInteger> v) {
        return v.stream().map(BigInteger::toString).toList();
    }

    static List<String> strings(JsonNode array) {
        return array.valueStream().map(JsonNode::stringValue).toList();
    }
}
