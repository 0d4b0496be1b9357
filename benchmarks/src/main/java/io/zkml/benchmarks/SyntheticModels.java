package io.zkml.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.classification.ensemble.VotingCombiner;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import io.zkml.compiler.FeatureRange;
import io.zkml.compiler.QuantizationSettings;

/**
 * Real Tribuo models of a chosen size, for scaling curves, trained on seeded synthetic data and
 * serialized to Tribuo's protobuf format, so they go through exactly the same import and compile
 * path as the demo models: linear SGD classifiers of {@code n} features ({@link #classifier}) and
 * random forests of {@code trees} CART trees of a maximum depth ({@link #forest}); features in
 * {@code [-1, 1]}, 3 labels.
 */
final class SyntheticModels {

    static final List<String> LABELS = List.of("a", "b", "c");
    private static final int EXAMPLES = 300;
    private static final OffsetDateTime DATA_TIME = OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    private SyntheticModels() {
    }

    /** {@code synthetic-<n>}: a classifier with {@code features} inputs, declared ranges [-1, 1]. */
    static DemoModel classifier(int features, long seed) throws IOException {
        if (features < 1) {
            throw new IllegalArgumentException("a synthetic model needs at least 1 feature, got " + features);
        }
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + features);
        String[] names = new String[features];
        for (int i = 0; i < features; i++) {
            names[i] = String.format("f%05d", i); // Tribuo orders features by name: keep index order
        }
        double[][] truth = new double[LABELS.size()][features];
        for (double[] row : truth) {
            for (int i = 0; i < features; i++) {
                row[i] = r.nextDouble(-1, 1);
            }
        }
        LabelFactory lf = new LabelFactory();
        MutableDataset<Label> ds = new MutableDataset<>(
                new SimpleDataSourceProvenance("synthetic, " + features + " features, seed " + seed, DATA_TIME, lf), lf);
        for (int k = 0; k < EXAMPLES; k++) {
            double[] x = point(r, features);
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < truth.length; j++) {
                double s = 0;
                for (int i = 0; i < features; i++) {
                    s += truth[j][i] * x[i];
                }
                if (s > bestScore) {
                    bestScore = s;
                    best = j;
                }
            }
            ds.add(new ArrayExample<>(new Label(LABELS.get(best)), names, x));
        }
        LinearSGDTrainer trainer = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(0.5, 0.1), 5, 1000, 1, seed);
        return synthetic("synthetic-" + features, trainer.train(ds), features, r);
    }

    /** Examples a synthetic forest is trained on. */
    static final int FOREST_EXAMPLES = 2000;

    /**
     * {@code forest-<trees>x<depth>x<features>}: a Tribuo random forest ({@link RandomForestTrainer}
     * of {@link CARTClassificationTrainer} trees of at most {@code depth} levels, half the features
     * considered per split, {@link VotingCombiner}) over {@code features} inputs in [-1, 1] with 3
     * labels given by a non-linear rule, so that the trees grow to their depth. Declared ranges [-1, 1].
     */
    static DemoModel forest(int trees, int depth, int features, long seed) throws IOException {
        if (trees < 1 || depth < 1 || features < 2) {
            throw new IllegalArgumentException("a synthetic forest needs >= 1 tree, depth >= 1 and >= 2 features, got "
                    + trees + "x" + depth + "x" + features);
        }
        SplittableRandom r = new SplittableRandom(seed * 7_919L + trees * 31L + depth * 1_009L + features);
        String[] names = new String[features];
        for (int i = 0; i < features; i++) {
            names[i] = String.format("f%05d", i);
        }
        LabelFactory lf = new LabelFactory();
        MutableDataset<Label> ds = new MutableDataset<>(new SimpleDataSourceProvenance(
                "synthetic forest data, " + features + " features, seed " + seed, DATA_TIME, lf), lf);
        for (int k = 0; k < FOREST_EXAMPLES; k++) {
            double[] x = point(r, features);
            double a = x[0] * x[1] + Math.sin(3 * x[2 % features]) - 0.5 * x[3 % features];
            double b = Math.abs(x[4 % features]) - x[5 % features] * x[6 % features] + 0.3 * x[7 % features];
            String label = a > 0.2 ? LABELS.get(0) : b > 0.1 ? LABELS.get(1) : LABELS.get(2);
            ds.add(new ArrayExample<>(new Label(label), names, x));
        }
        CARTClassificationTrainer cart = new CARTClassificationTrainer(depth, 0.5f, seed);
        RandomForestTrainer<Label> trainer = new RandomForestTrainer<>(cart, new VotingCombiner(), trees, seed);
        return synthetic("forest-" + trees + "x" + depth + "x" + features, trainer.train(ds), features, r);
    }

    /** The model serialized to Tribuo's protobuf format, declared ranges [-1, 1], one random example input. */
    private static DemoModel synthetic(String name, Model<Label> model, int features, SplittableRandom r) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        model.serializeToStream(bytes);
        byte[] modelBytes = bytes.toByteArray();
        List<FeatureRange> ranges = new ArrayList<>(features);
        for (int i = 0; i < features; i++) {
            ranges.add(new FeatureRange(-1, 1));
        }
        QuantizationSettings settings = new QuantizationSettings(null, null, ranges, null);
        return new DemoModel(name, "synthetic", modelBytes, DemoModel.sha256(modelBytes), settings, "synthetic",
                point(r, features));
    }

    private static double[] point(SplittableRandom r, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = Math.round(r.nextDouble(-1, 1) * 1000) / 1000.0;
        }
        return x;
    }
}
