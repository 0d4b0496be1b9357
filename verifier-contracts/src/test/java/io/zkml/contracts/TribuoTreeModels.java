package io.zkml.contracts;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.SplittableRandom;

import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.common.tree.ExtraTreesTrainer;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.ensemble.AveragingCombiner;
import org.tribuo.regression.rtree.CARTRegressionTrainer;
import org.tribuo.regression.rtree.impurity.MeanSquaredError;

import io.zkml.compiler.FeatureRange;

/**
 * Small seeded Tribuo tree models for the on-chain tests, of shapes the demos do not have: a single
 * CART classifier (its leaves are the label) and an extra-trees regression forest with two outputs
 * (averaging; one tree per output per member).
 */
final class TribuoTreeModels {

    static final String[] FEATURES = {"a", "b", "c"};
    /** The declared ranges of every feature of these models. */
    static final List<FeatureRange> RANGES = List.of(new FeatureRange(-3, 3), new FeatureRange(-3, 3), new FeatureRange(-3, 3));
    /** An input inside the ranges. */
    static final double[] INPUT = {0.7, -1.2, 2.1};

    private TribuoTreeModels() {
    }

    static byte[] cart() {
        LabelFactory lf = new LabelFactory();
        MutableDataset<Label> ds = new MutableDataset<>(new SimpleDataSourceProvenance("cart", lf), lf);
        SplittableRandom r = new SplittableRandom(71);
        for (int i = 0; i < 400; i++) {
            double[] x = point(r);
            String label = x[0] * x[1] > 0.5 ? "hi" : x[2] > 0.3 ? "mid" : "lo";
            ds.add(new ArrayExample<>(new Label(label), FEATURES, x));
        }
        return bytes(new CARTClassificationTrainer(6).train(ds));
    }

    static byte[] extraTreesRegression() {
        RegressionFactory rf = new RegressionFactory();
        MutableDataset<Regressor> ds = new MutableDataset<>(new SimpleDataSourceProvenance("xt", rf), rf);
        SplittableRandom r = new SplittableRandom(72);
        String[] dims = {"risk", "yield"};
        for (int i = 0; i < 400; i++) {
            double[] x = point(r);
            ds.add(new ArrayExample<>(new Regressor(dims, new double[]{x[0] * x[1] - x[2], Math.abs(x[1]) + 0.5 * x[0]}),
                    FEATURES, x));
        }
        CARTRegressionTrainer tree = new CARTRegressionTrainer(4, 5, 0.0f, 1.0f, true, new MeanSquaredError(), 73L);
        return bytes(new ExtraTreesTrainer<>(tree, new AveragingCombiner(), 6, 73L).train(ds));
    }

    private static double[] point(SplittableRandom r) {
        return new double[]{r.nextDouble(-3, 3), r.nextDouble(-3, 3), r.nextDouble(-3, 3)};
    }

    private static byte[] bytes(Model<?> m) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            m.serializeToStream(out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
