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
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.classification.ensemble.VotingCombiner;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.clustering.ClusterID;
import org.tribuo.clustering.ClusteringFactory;
import org.tribuo.clustering.kmeans.KMeansTrainer;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.distance.L2Distance;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.ensemble.AveragingCombiner;
import org.tribuo.regression.rtree.CARTRegressionTrainer;
import org.tribuo.regression.rtree.impurity.MeanSquaredError;
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

    /** The features of the tree models below. */
    public static final List<String> TREE_FEATURES = List.of("petal_length", "petal_width", "sepal_length");
    /** The labels of the tree classifiers below, in label-id order. */
    public static final List<String> TREE_LABELS = List.of("large", "medium", "small");

    /** A CART classification tree (Tribuo's {@code TreeModel}) of depth at most {@code maxDepth}, seeded. */
    public static byte[] cartClassifier(int maxDepth) {
        return protobuf(new CARTClassificationTrainer(maxDepth).train(treeClassification(300, 31)));
    }

    /** A random forest of {@code members} CART classification trees (depth ≤ 4) with a {@link VotingCombiner}, seeded. */
    public static byte[] randomForestClassifier(int members) {
        return protobuf(new RandomForestTrainer<>(new CARTClassificationTrainer(4, 0.67f, 32L), new VotingCombiner(),
                members, 32L).train(treeClassification(300, 32)));
    }

    /** A random forest of {@code members} CART regression trees (depth ≤ 3) with an {@link AveragingCombiner}, seeded. */
    public static byte[] randomForestRegressor(int members) {
        CARTRegressionTrainer tree = new CARTRegressionTrainer(3, 5, 0.0f, 0.67f, false, new MeanSquaredError(), 33L);
        return protobuf(new RandomForestTrainer<>(tree, new AveragingCombiner(), members, 33L)
                .train(treeRegression(300, 33)));
    }

    /** The dimension name of {@link #randomForestRegressor(int)}'s single output. */
    public static final String TREE_REGRESSION_OUTPUT = "price";

    /** A real k-means model: valid Tribuo protobuf, of a class the compiler does not support. */
    public static byte[] kMeans() {
        ClusteringFactory cf = new ClusteringFactory();
        MutableDataset<ClusterID> ds = new MutableDataset<>(new SimpleDataSourceProvenance("clusters", cf), cf);
        SplittableRandom r = new SplittableRandom(34);
        for (int i = 0; i < 60; i++) {
            ds.add(new ArrayExample<>(ClusteringFactory.UNASSIGNED_CLUSTER_ID, TREE_FEATURES.toArray(String[]::new),
                    new double[]{r.nextDouble(), r.nextDouble(), r.nextDouble()}));
        }
        return protobuf(new KMeansTrainer(3, 5, new L2Distance(), 1, 34L).train(ds));
    }

    private static MutableDataset<Label> treeClassification(int n, long seed) {
        LabelFactory lf = new LabelFactory();
        MutableDataset<Label> ds = new MutableDataset<>(new SimpleDataSourceProvenance("flowers", lf), lf);
        SplittableRandom r = new SplittableRandom(seed);
        String[] features = TREE_FEATURES.toArray(String[]::new);
        for (int i = 0; i < n; i++) {
            double[] x = {r.nextDouble(0, 7), r.nextDouble(0, 2.5), r.nextDouble(4, 8)};
            double size = x[0] + 2 * x[1] + 0.3 * x[2] + r.nextDouble(-0.5, 0.5);
            ds.add(new ArrayExample<>(new Label(size > 8 ? "large" : size > 5 ? "medium" : "small"), features, x));
        }
        return ds;
    }

    private static MutableDataset<Regressor> treeRegression(int n, long seed) {
        RegressionFactory rf = new RegressionFactory();
        MutableDataset<Regressor> ds = new MutableDataset<>(new SimpleDataSourceProvenance("prices", rf), rf);
        SplittableRandom r = new SplittableRandom(seed);
        String[] features = TREE_FEATURES.toArray(String[]::new);
        for (int i = 0; i < n; i++) {
            double[] x = {r.nextDouble(0, 7), r.nextDouble(0, 2.5), r.nextDouble(4, 8)};
            double y = 3 * x[0] - x[1] + 0.5 * x[2] * x[2] + r.nextDouble(-1, 1);
            ds.add(new ArrayExample<>(new Regressor(TREE_REGRESSION_OUTPUT, y), features, x));
        }
        return ds;
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

    /**
     * The repository root (the folder with {@code pom.xml}, {@code api/}, {@code examples/} and
     * {@code testdata/}): Maven runs the api tests in {@code api/}.
     */
    public static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("examples")) && Files.isDirectory(p.resolve("api"))
                    && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
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
