package io.zkml.compiler.examples;

import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.CircuitOutput;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.QuantizationSettings;
import io.zkml.compiler.ir.IrWriter;
import io.zkml.compiler.tribuo.FloatPrediction;
import io.zkml.compiler.tribuo.ImportedModel;
import io.zkml.compiler.tribuo.TribuoModelReader;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the demo model zoo into {@code examples/} (run from the repository root):
 * <pre>
 * ./mvnw -B -ntp -pl circuit-compiler test-compile exec:java \
 *   -Dexec.mainClass=io.zkml.compiler.examples.DemoModelGenerator -Dexec.classpathScope=test
 * </pre>
 * (an optional {@code -Dexec.args=DIR} writes elsewhere).
 * Per demo: {@code model.tribuo} (Tribuo protobuf), {@code input.json}, {@code quantization.json}
 * (the declared ranges, in the shape of {@link QuantizationSettings}), {@code expected.json}
 * (Tribuo's float prediction, the circuit's integer input/output/public inputs and dequantized
 * output) and {@code circuit.ir.json} (the IR compiled with those settings).
 * The weights are the same on every run; the model file's provenance records the training time,
 * so its bytes (and the IR's source hash) change when it is regenerated.
 */
public final class DemoModelGenerator {

    static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** The example input of each demo, in feature order. */
    static final Map<String, double[]> INPUTS = Map.of(
            "credit-risk", new double[]{12.5, 0.35, 85.0, 1, 25.0},
            "credit-forest", new double[]{12.5, 0.35, 85.0, 1, 25.0},
            "eth-price", new double[]{3.2, 40.0, 0.3, 18.0});

    private DemoModelGenerator() {
    }

    /**
     * Arguments: {@code [--keep-models] [examplesDir]}. With {@code --keep-models} the committed
     * {@code model.tribuo} files are kept (not retrained and rewritten), so only the files derived
     * from them change (IR, cases, expected outputs, README): use it when the compiler changes.
     */
    public static void main(String[] args) throws Exception {
        List<String> rest = new java.util.ArrayList<>(List.of(args));
        boolean keepModels = rest.remove("--keep-models");
        Path root = !rest.isEmpty() ? Path.of(rest.getFirst()) : examplesDir();
        for (DemoModels.Demo demo : List.of(DemoModels.creditRisk(), DemoModels.creditForest(), DemoModels.ethPrice())) {
            write(root.resolve(demo.name()), demo, keepModels);
        }
    }

    /** {@code examples/} of the repository: found from the working directory (root or module). */
    static Path examplesDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("examples")) && Files.isDirectory(p.resolve("circuit-compiler"))) {
                return p.resolve("examples");
            }
        }
        throw new IllegalStateException("run from inside the repository (no examples/ next to circuit-compiler/ found)");
    }

    static void write(Path dir, DemoModels.Demo demo, boolean keepModel) throws Exception {
        Files.createDirectories(dir);
        byte[] modelBytes;
        if (keepModel && Files.isRegularFile(dir.resolve("model.tribuo"))) {
            modelBytes = Files.readAllBytes(dir.resolve("model.tribuo"));
        } else {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            demo.model().serializeToStream(bytes);
            modelBytes = bytes.toByteArray();
            Files.write(dir.resolve("model.tribuo"), modelBytes);
        }

        ImportedModel model = TribuoModelReader.read(modelBytes);
        if (!model.features().equals(demo.features())) {
            throw new IllegalStateException("feature order " + model.features() + " != " + demo.features());
        }
        QuantizationSettings settings = new QuantizationSettings(null, null, demo.ranges(), null);
        double[] input = INPUTS.get(demo.name());
        Files.writeString(dir.resolve("input.json"), JSON.writeValueAsString(Map.of("input", input)) + "\n");
        Files.writeString(dir.resolve("quantization.json"), JSON.writeValueAsString(settings) + "\n");

        CompiledCircuit circuit = CircuitCompiler.compile(model, demo.name(), IrWriter.sha256Hex(modelBytes), settings);
        Files.write(dir.resolve("circuit.ir.json"), circuit.irJson());

        Files.writeString(dir.resolve("circuit.cases.json"), JSON.writeValueAsString(cases(circuit, demo)) + "\n");

        FloatPrediction fp = model.predict(input);
        List<BigInteger> q = circuit.quantizeInput(input);
        List<BigInteger> out = circuit.evaluate(q);
        CircuitOutput co = circuit.dequantize(out);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("model", demo.name());
        expected.put("modelClass", model.modelClass());
        expected.put("features", model.features());
        expected.put("outputs", model.outputs());
        expected.put("input", input);
        expected.put("floatPrediction", fp);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("circuitHash", circuit.circuitHash());
        c.put("quantizedInput", strings(q));
        c.put("output", strings(out));
        c.put("dequantized", co);
        c.put("publicInputs", strings(circuit.publicInputs(q)));
        expected.put("circuit", c);
        expected.put("quantization", circuit.quantization());
        expected.put("versions", pair("compiler", CircuitCompiler.version(), "tribuo", org.tribuo.Tribuo.VERSION));
        Files.writeString(dir.resolve("expected.json"), JSON.writeValueAsString(expected) + "\n");
        Files.writeString(dir.resolve("README.md"), readme(demo, model, circuit, input, fp, co), StandardCharsets.UTF_8);
        System.out.println("wrote " + dir + " (circuit " + circuit.circuitHash() + ")");
    }

    /**
     * Cases in the format of the golden {@code *.cases.json} files, for tests that compare the
     * circuit with the reference evaluator on a real model: the example input, the range corners,
     * seeded random real inputs; and out-of-range / wrong-count inputs with their error kinds.
     */
    static Map<String, Object> cases(CompiledCircuit circuit, DemoModels.Demo demo) throws Exception {
        var x = circuit.ir().inputTensor();
        List<List<BigInteger>> inputs = new java.util.ArrayList<>();
        inputs.add(circuit.quantizeInput(INPUTS.get(demo.name())));
        inputs.add(x.lo());
        inputs.add(x.hi());
        java.util.SplittableRandom r = new java.util.SplittableRandom(31337);
        for (int k = 0; k < 20; k++) {
            double[] v = new double[demo.ranges().size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.nextDouble(demo.ranges().get(i).min(), demo.ranges().get(i).max());
            }
            inputs.add(circuit.quantizeInput(v));
        }
        // Trees: every quantized threshold τ of split_bits, on it, one below and one above, for its feature.
        for (var op : circuit.ir().ops()) {
            if (op instanceof io.zkml.compiler.ir.ops.SplitBitsOp split) {
                List<BigInteger> taus = circuit.ir().requireTensor(split.thresholds()).values();
                List<BigInteger> mid = inputs.getFirst();
                // At most 60 thresholds (evenly spread), so the cases stay quick to run everywhere.
                int step = Math.max(1, (taus.size() + 59) / 60);
                for (int k = 0; k < taus.size(); k += step) {
                    int f = split.feature().get(k);
                    for (int d = -1; d <= 1; d++) {
                        BigInteger v = taus.get(k).add(BigInteger.valueOf(d));
                        if (v.compareTo(x.lo().get(f)) >= 0 && v.compareTo(x.hi().get(f)) <= 0) {
                            List<BigInteger> in = new java.util.ArrayList<>(mid);
                            in.set(f, v);
                            inputs.add(in);
                        }
                    }
                }
            }
        }
        List<Map<String, Object>> valid = new java.util.ArrayList<>();
        for (List<BigInteger> in : inputs) {
            valid.add(pair("input", strings(in), "output", strings(circuit.evaluate(in))));
        }
        List<BigInteger> above = new java.util.ArrayList<>(x.hi());
        above.set(0, above.getFirst().add(BigInteger.ONE));
        List<BigInteger> below = new java.util.ArrayList<>(x.lo());
        below.set(below.size() - 1, below.getLast().subtract(BigInteger.ONE));
        List<Map<String, Object>> invalid = List.of(
                pair("input", strings(above), "error", "input_out_of_range"),
                pair("input", strings(below), "error", "input_out_of_range"),
                pair("input", strings(x.lo().subList(0, x.size() - 1)), "error", "wrong_input_count"));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("ir", "circuit.ir.json");
        doc.put("cases", valid);
        doc.put("invalid", invalid);
        return doc;
    }

    /** A two-key JSON object in this key order ({@code Map.of} has no stable iteration order). */
    private static Map<String, Object> pair(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    private static List<String> strings(List<BigInteger> v) {
        return v.stream().map(BigInteger::toString).toList();
    }

    private static String readme(DemoModels.Demo demo, ImportedModel model, CompiledCircuit circuit, double[] input,
                                 FloatPrediction fp, CircuitOutput co) {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(demo.name()).append("\n\n").append(demo.description()).append("\n\n");
        b.append("Synthetic, seeded data; trained with Tribuo ").append(org.tribuo.Tribuo.VERSION)
                .append(" (`").append(model.modelClass()).append("`). Generated by\n`DemoModelGenerator` ")
                .append("(see [examples/README.md](../README.md)); do not edit by hand.\n\n");
        b.append("| # | feature (input order) | allowed range |\n|---|---|---|\n");
        for (int i = 0; i < model.features().size(); i++) {
            b.append("| ").append(i).append(" | `").append(model.features().get(i)).append("` | [")
                    .append(demo.ranges().get(i).min()).append(", ").append(demo.ranges().get(i).max()).append("] |\n");
        }
        b.append("\nOutputs (").append(model.task() == io.zkml.compiler.Task.CLASSIFICATION ? "labels, argmax index order" : "regression dimensions, output order")
                .append("): ").append(String.join(", ", model.outputs().stream().map(s -> "`" + s + "`").toList())).append("\n\n");
        b.append("| file | what |\n|---|---|\n")
                .append("| `model.tribuo` | the model in Tribuo's protobuf format (upload this) |\n")
                .append("| `input.json` | an example input, `{\"input\": [...]}` in feature order |\n")
                .append("| `quantization.json` | the declared input ranges (compile settings) |\n")
                .append("| `circuit.ir.json` | the IR compiled from `model.tribuo` with `quantization.json` |\n")
                .append("| `circuit.cases.json` | integer inputs and exact outputs of `circuit.ir.json` (golden-cases format) |\n")
                .append("| `expected.json` | Tribuo's float prediction and the circuit's exact output for `input.json` |\n\n");
        var q = circuit.quantization();
        b.append("Quantization: input scale 2^").append(q.inputScale()).append(", weight scale 2^").append(q.weightScale())
                .append(q.errorBound() == null
                        ? ": exact votes (the circuit's label is Tribuo's wherever no feature is within half an input step of a split)"
                        : ", proven error bound " + q.errorBound()
                        + (model.task() == io.zkml.compiler.Task.CLASSIFICATION ? " on every score" : " on every output"))
                .append(".\n\n");
        b.append("For `input.json` = ").append(java.util.Arrays.toString(input)).append(":\n\n");
        if (fp.label() != null) {
            b.append("- Tribuo: label `").append(fp.label()).append("`\n- circuit: label `").append(co.label()).append("`\n");
        } else {
            b.append("- Tribuo: ").append(fp.values()).append("\n- circuit: ").append(co.values()).append("\n");
        }
        return b.toString();
    }
}
