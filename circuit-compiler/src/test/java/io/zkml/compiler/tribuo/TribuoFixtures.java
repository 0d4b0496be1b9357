package io.zkml.compiler.tribuo;

import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.objectives.Hinge;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.sgd.objectives.SquaredLoss;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;

/** Small seeded Tribuo models for tests. */
public final class TribuoFixtures {

    /** Feature names deliberately not in sorted order: Tribuo sorts them into its id order. */
    public static final String[] FEATURES = {"zeta", "alpha", "mid"};

    private TribuoFixtures() {
    }

    public static MutableDataset<Label> labelled(int n, long seed) {
        LabelFactory lf = new LabelFactory();
        MutableDataset<Label> ds = new MutableDataset<>(new SimpleDataSourceProvenance("test", lf), lf);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            double[] x = {r.nextDouble(-3, 3), r.nextDouble(-3, 3), r.nextDouble(-3, 3)};
            String label = x[0] + x[1] > 1 ? "up" : x[2] - x[1] > 0.5 ? "side" : "down";
            ds.add(new ArrayExample<>(new Label(label), FEATURES, x));
        }
        return ds;
    }

    public static MutableDataset<Regressor> regression(int n, long seed) {
        RegressionFactory rf = new RegressionFactory();
        MutableDataset<Regressor> ds = new MutableDataset<>(new SimpleDataSourceProvenance("test", rf), rf);
        SplittableRandom r = new SplittableRandom(seed);
        String[] dims = {"zz_second", "aa_first"};
        for (int i = 0; i < n; i++) {
            double[] x = {r.nextDouble(-3, 3), r.nextDouble(-3, 3), r.nextDouble(-3, 3)};
            double y1 = 2 * x[0] - x[1] + 0.5 + r.nextDouble(-0.1, 0.1);
            double y2 = -3 * x[2] + 10 + r.nextDouble(-0.1, 0.1);
            ds.add(new ArrayExample<>(new Regressor(dims, new double[]{y1, y2}), FEATURES, x));
        }
        return ds;
    }

    public static Model<Label> logisticModel() {
        return new org.tribuo.classification.sgd.linear.LinearSGDTrainer(new LogMulticlass(), new AdaGrad(0.5), 5, 1000, 1, 1L)
                .train(labelled(300, 1));
    }

    public static Model<Label> hingeModel() {
        return new org.tribuo.classification.sgd.linear.LinearSGDTrainer(new Hinge(), new AdaGrad(0.5), 5, 1000, 1, 2L)
                .train(labelled(300, 2));
    }

    public static Model<Regressor> regressionModel() {
        return new org.tribuo.regression.sgd.linear.LinearSGDTrainer(new SquaredLoss(), new AdaGrad(0.5), 10, 1000, 1, 3L)
                .train(regression(300, 3));
    }

    public static <T extends org.tribuo.Output<T>> Model<T> train(Trainer<T> trainer, MutableDataset<T> ds) {
        return trainer.train(ds);
    }

    public static byte[] protobufBytes(Model<?> model) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            model.serializeToStream(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
