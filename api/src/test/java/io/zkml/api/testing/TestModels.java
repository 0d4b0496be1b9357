package io.zkml.api.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.baseline.DummyClassifierTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import tools.jackson.databind.JsonNode;

/**
 * Models for service tests: the repository's example models when they are there
 * ({@code examples/<name>/}), else a model of the same shape trained here from seeded data.
 */
public final class TestModels {

    /** A model to upload, the quantization settings to compile it with, and an input inside its ranges. */
    public record Example(String name, byte[] model, JsonNode quantization, List<Double> input) {
    }

    private TestModels() {
    }

    /** {@code examples/credit-risk}: 5 features, labels high/low/medium. */
    public static Example creditRisk() {
        Path dir = examples().resolve("credit-risk");
        if (Files.isRegularFile(dir.resolve("model.tribuo"))) {
            return fromExample("credit-risk", dir);
        }
        return trainedCreditRisk();
    }

    /** A model of the credit-risk example's shape, trained here from seeded data. */
    public static Example trainedCreditRisk() {
        String[] features = {"credit_history_years", "debt_ratio", "income_k", "late_payments", "loan_amount_k"};
        double[] max = {40, 1, 300, 20, 150};
        LabelFactory lf = new LabelFactory();
        MutableDataset<Label> ds = new MutableDataset<>(new SimpleDataSourceProvenance("credit", lf), lf);
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 400; i++) {
            double[] x = new double[5];
            for (int j = 0; j < 5; j++) {
                x[j] = r.nextDouble(0, max[j]);
            }
            double score = 0.05 * x[0] - 3 * x[1] + 0.01 * x[2] - 0.3 * x[3] - 0.01 * x[4];
            ds.add(new ArrayExample<>(new Label(score > 0.5 ? "low" : score > -1.5 ? "medium" : "high"), features, x));
        }
        Model<Label> model = new org.tribuo.classification.sgd.linear.LinearSGDTrainer(new LogMulticlass(),
                new AdaGrad(0.5), 5, 1000, 1, 1L).train(ds);
        String q = """
                {"inputRanges": [{"min": 0, "max": 40}, {"min": 0, "max": 1}, {"min": 0, "max": 300},
                                 {"min": 0, "max": 20}, {"min": 0, "max": 150}]}""";
        return new Example("credit-risk", protobuf(model), Http.json().readTree(q), List.of(12.5, 0.35, 85.0, 1.0, 25.0));
    }

    /** {@code examples/eth-price} (regression, 2 outputs), or null if the example is absent. */
    public static Example ethPriceOrNull() {
        Path dir = examples().resolve("eth-price");
        return Files.isRegularFile(dir.resolve("model.tribuo")) ? fromExample("eth-price", dir) : null;
    }

    /** A valid Tribuo protobuf model of a class the compiler does not support (a baseline classifier). */
    public static byte[] unsupportedTribuoModel() {
        LabelFactory lf = new LabelFactory();
        MutableDataset<Label> ds = new MutableDataset<>(new SimpleDataSourceProvenance("dummy", lf), lf);
        ds.add(new ArrayExample<>(new Label("a"), new String[]{"f"}, new double[]{1}));
        ds.add(new ArrayExample<>(new Label("b"), new String[]{"f"}, new double[]{2}));
        return protobuf(DummyClassifierTrainer.createMostFrequentTrainer().train(ds));
    }

    /** A Java-serialized object stream (what {@code ObjectOutputStream} writes). */
    public static byte[] javaSerialized() {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(); ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new HashMap<>(Map.of("model", "not really")));
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Example fromExample(String name, Path dir) {
        try {
            JsonNode input = Http.json().readTree(Files.readString(dir.resolve("input.json"))).get("input");
            List<Double> values = new java.util.ArrayList<>();
            input.forEach(n -> values.add(n.doubleValue()));
            return new Example(name, Files.readAllBytes(dir.resolve("model.tribuo")),
                    Http.json().readTree(Files.readString(dir.resolve("quantization.json"))), values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path examples() {
        // Maven runs the api tests in api/; the examples live at the repository root.
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("examples")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p.resolve("examples");
            }
        }
        return here.resolve("examples");
    }

    private static byte[] protobuf(Model<?> model) {
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            model.serializeToStream(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
