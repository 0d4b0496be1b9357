package io.zkml.compiler.examples;

import io.zkml.compiler.FeatureRange;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.sgd.objectives.SquaredLoss;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The demo models of {@code examples/}: seeded synthetic data, trained with Tribuo's linear SGD
 * trainers and its random forest trainer (single-threaded, seeded, so the models are the same on
 * every run).
 */
public final class DemoModels {

    /** Fixed so the provenance is the same on every run. */
    static final OffsetDateTime DATA_TIME = OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    private DemoModels() {
    }

    /** A demo: its Tribuo model, the feature names in Tribuo's (sorted) id order and their declared ranges. */
    public record Demo(String name, Model<?> model, List<String> features, List<FeatureRange> ranges, String description) {
    }

    // ---- credit-risk: 3-class classification, 5 features ----

    public static final List<String> CREDIT_FEATURES = List.of(
            "credit_history_years", "debt_ratio", "income_k", "late_payments", "loan_amount_k");
    public static final List<FeatureRange> CREDIT_RANGES = List.of(
            new FeatureRange(0, 40), new FeatureRange(0, 1), new FeatureRange(0, 300),
            new FeatureRange(0, 20), new FeatureRange(0, 150));

    /** Draws one applicant in {@link #CREDIT_FEATURES} order (inside {@link #CREDIT_RANGES}). */
    public static double[] creditApplicant(SplittableRandom r) {
        return new double[]{
                round2(r.nextDouble(0, 35)),       // credit_history_years
                round2(r.nextDouble(0.02, 0.95)),  // debt_ratio
                round2(r.nextDouble(15, 250)),     // income_k
                r.nextInt(0, 13),                  // late_payments
                round2(r.nextDouble(1, 120))};     // loan_amount_k
    }

    /** The synthetic ground truth: a latent risk score with noise, cut in three. */
    static String creditLabel(double[] x, SplittableRandom r) {
        double score = -0.08 * x[0] + 3.5 * x[1] - 0.012 * x[2] + 0.45 * x[3] + 0.02 * x[4] + r.nextDouble(-0.4, 0.4);
        return score < 0.3 ? "low" : score < 2.0 ? "medium" : "high";
    }

    public static Demo creditRisk() {
        SplittableRandom r = new SplittableRandom(20260101L);
        LabelFactory lf = new LabelFactory();
        MutableDataset<Label> ds = new MutableDataset<>(
                new SimpleDataSourceProvenance("synthetic credit applicants, seed 20260101", DATA_TIME, lf), lf);
        String[] names = CREDIT_FEATURES.toArray(new String[0]);
        for (int i = 0; i < 2000; i++) {
            double[] x = creditApplicant(r);
            ds.add(new ArrayExample<>(new Label(creditLabel(x, r)), names, x));
        }
        var trainer = new org.tribuo.classification.sgd.linear.LinearSGDTrainer(
                new LogMulticlass(), new AdaGrad(0.5, 0.1), 30, 1000, 1, 7L);
        return new Demo("credit-risk", trainer.train(ds), CREDIT_FEATURES, CREDIT_RANGES,
                "Credit risk of a loan applicant: low, medium or high (logistic regression, 3 labels).");
    }

    // ---- credit-forest: the credit-risk applicants, a random forest ----

    /**
     * The credit-risk data (same features, ranges and ground truth, another seed) learnt by a Tribuo
     * random forest: 16 CART trees of depth at most 5, 3 of the 5 features tried per split, majority
     * vote ({@code VotingCombiner}). Tribuo trains ensembles single-threaded with a seeded RNG.
     */
    public static Demo creditForest() {
        SplittableRandom r = new SplittableRandom(20260103L);
        LabelFactory lf = new LabelFactory();
        MutableDataset<Label> ds = new MutableDataset<>(
                new SimpleDataSourceProvenance("synthetic credit applicants, seed 20260103", DATA_TIME, lf), lf);
        String[] names = CREDIT_FEATURES.toArray(new String[0]);
        for (int i = 0; i < 2000; i++) {
            double[] x = creditApplicant(r);
            ds.add(new ArrayExample<>(new Label(creditLabel(x, r)), names, x));
        }
        var trainer = new org.tribuo.common.tree.RandomForestTrainer<>(
                new org.tribuo.classification.dtree.CARTClassificationTrainer(5, 0.6f, 13L),
                new org.tribuo.classification.ensemble.VotingCombiner(), 16, 17L);
        return new Demo("credit-forest", trainer.train(ds), CREDIT_FEATURES, CREDIT_RANGES,
                "Credit risk of a loan applicant: low, medium or high (random forest of 16 trees, depth <= 5, majority vote).");
    }

    // ---- eth-price: 2-output regression, 4 features ----

    public static final List<String> ETH_FEATURES = List.of("eth_price_kusd", "gas_gwei", "sentiment", "volume_busd");
    public static final List<FeatureRange> ETH_RANGES = List.of(
            new FeatureRange(0, 10), new FeatureRange(0, 300), new FeatureRange(-1, 1), new FeatureRange(0, 60));
    /** Output names, deliberately not in alphabetical order. */
    static final String[] ETH_OUTPUTS = {"volatility_pct", "price_next_kusd"};

    /** Draws one market state in {@link #ETH_FEATURES} order (inside {@link #ETH_RANGES}). */
    public static double[] ethMarket(SplittableRandom r) {
        return new double[]{
                round2(r.nextDouble(1.0, 5.0)),    // eth_price_kusd
                round2(r.nextDouble(5, 150)),      // gas_gwei
                round2(r.nextDouble(-1, 1)),       // sentiment
                round2(r.nextDouble(5, 40))};      // volume_busd
    }

    public static Demo ethPrice() {
        SplittableRandom r = new SplittableRandom(20260102L);
        RegressionFactory rf = new RegressionFactory();
        MutableDataset<Regressor> ds = new MutableDataset<>(
                new SimpleDataSourceProvenance("synthetic ETH market states, seed 20260102", DATA_TIME, rf), rf);
        String[] names = ETH_FEATURES.toArray(new String[0]);
        for (int i = 0; i < 2000; i++) {
            double[] x = ethMarket(r);
            double priceNext = 0.05 + 1.01 * x[0] + 0.06 * x[2] - 0.0004 * x[1] + 0.002 * x[3] + r.nextDouble(-0.03, 0.03);
            double vol = 30 + 1.2 * x[3] + 0.08 * x[1] - 8 * x[2] + 2 * x[0] + r.nextDouble(-2, 2);
            ds.add(new ArrayExample<>(new Regressor(ETH_OUTPUTS, new double[]{vol, priceNext}), names, x));
        }
        var trainer = new org.tribuo.regression.sgd.linear.LinearSGDTrainer(
                new SquaredLoss(), new AdaGrad(0.5, 0.1), 60, 1000, 1, 11L);
        return new Demo("eth-price", trainer.train(ds), ETH_FEATURES, ETH_RANGES,
                "Next-day ETH price (thousands of USD) and volatility (%) from the market state (linear regression, 2 outputs).");
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
