package io.zkml.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A named set of measurements ({@code --suite NAME}): synthetic model families × settings. Every case is a
 * seeded synthetic Tribuo model (so a suite measures the same models on every machine and commit) at one
 * {@link Setting}.
 *
 * @param name the suite's name
 * @param cases what to measure, in order
 * @param fidelitySamples random inputs compared with the float model per case, unless
 *     {@code --fidelity-samples} is given
 */
public record Suite(String name, List<Case> cases, int fidelitySamples) {

    public Suite {
        cases = List.copyOf(cases);
    }

    /**
     * One model at one setting.
     *
     * @param family {@code linear} (a {@link SyntheticModels#classifier}) or {@code forest}
     *     ({@link SyntheticModels#forest})
     * @param features input features
     * @param trees trees of a forest (0 for linear)
     * @param depth the forest's maximum depth (0 for linear)
     * @param setting the setting it is measured at
     */
    public record Case(String family, int features, int trees, int depth, Setting setting) {

        /** The model's name, as {@link SyntheticModels} names it. */
        public String modelName() {
            return family.equals("linear") ? "synthetic-" + features : "forest-" + trees + "x" + depth + "x" + features;
        }

        /** The model's name with a requested scale, e.g. {@code synthetic-32 s_in=8}. */
        public String label() {
            if (Setting.VISIBILITY.equals(setting.sweep())) {
                return modelName() + " " + setting.visibility();
            }
            if (Setting.BATCH.equals(setting.sweep())) {
                return modelName() + " " + setting.visibility() + " x" + setting.batchSize();
            }
            return setting.inputScale() == null ? modelName() : modelName() + " s_in=" + setting.inputScale();
        }
    }

    /** The suites {@code --suite} knows. */
    public static final List<String> NAMES = List.of("quick", "standard", "visibility");

    /** The input scales of the standard sweep: 6 to 20 in steps of 2. */
    public static final List<Integer> STANDARD_SCALES = List.of(6, 8, 10, 12, 14, 16, 18, 20);

    /**
     * The suite called {@code name}.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static Suite named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "quick" -> quick();
            case "standard" -> standard();
            case "visibility" -> visibility();
            default -> throw new IllegalArgumentException("--suite needs one of " + NAMES + ", got \"" + name + "\"");
        };
    }

    /**
     * Seconds, for tests and CI: a 2-feature linear model, a 2×2 forest on 4 features, the linear one at 2
     * input scales, with private and hashed inputs, and a batch of 4 with hashed inputs.
     */
    static Suite quick() {
        List<Case> c = new ArrayList<>();
        c.add(linear(2, Setting.of(Setting.SIZE)));
        c.add(forest(2, 2, 4, Setting.of(Setting.SIZE)));
        for (int s : List.of(6, 12)) {
            c.add(linear(2, Setting.inputScale(s)));
        }
        c.add(linear(2, Setting.visibility("private")));
        c.add(linear(2, Setting.visibility("hashed")));
        c.add(linear(2, Setting.batch(4, "hashed")));
        return new Suite("quick", c, 8);
    }

    /**
     * Minutes: linear classifiers of 8, 32, 64 and 128 features; forests 10x4, 50x6, 100x6 and 200x8 on
     * 16 features; {@code synthetic-32} and {@code forest-50x6x16} at input scales 6 to 20 (step 2).
     */
    static Suite standard() {
        List<Case> c = new ArrayList<>();
        for (int n : List.of(8, 32, 64, 128)) {
            c.add(linear(n, Setting.of(Setting.SIZE)));
        }
        for (BenchmarkOptions.Forest f : BenchmarkOptions.STANDARD_FORESTS) {
            c.add(forest(f.trees(), f.depth(), 16, Setting.of(Setting.SIZE)));
        }
        for (int s : STANDARD_SCALES) {
            c.add(linear(32, Setting.inputScale(s)));
        }
        for (int s : STANDARD_SCALES) {
            c.add(forest(50, 6, 16, Setting.inputScale(s)));
        }
        return new Suite("standard", c, 500);
    }

    /** The feature counts of the {@code visibility} suite: up to an MNIST-sized input (784). */
    public static final List<Integer> VISIBILITY_FEATURES = List.of(5, 32, 128, 784);

    /**
     * Minutes (issue 8): linear classifiers of 5, 32, 128 and 784 features with public, private and hashed
     * inputs: constraints, prove time, verifier size and verification gas against the number of features;
     * and a batch of 16 inferences of the 5-feature model with hashed inputs in one proof.
     */
    static Suite visibility() {
        List<Case> c = new ArrayList<>();
        for (int n : VISIBILITY_FEATURES) {
            for (String v : Setting.VISIBILITIES) {
                c.add(linear(n, Setting.visibility(v)));
            }
        }
        // issue 8: hashed outputs, and hashed weights (inputs public, then inputs, outputs and weights hashed)
        for (int n : VISIBILITY_FEATURES) {
            for (String v : List.of("hashed/hashed/fixed", "public/public/hashed", "hashed/public/hashed", "hashed/hashed/hashed")) {
                c.add(linear(n, Setting.visibility(v)));
            }
        }
        // the bar: a batch of 16 linear-model inferences proves in less than 4x one
        c.add(linear(5, Setting.batch(16, "hashed")));
        return new Suite("visibility", c, 100);
    }

    static Case linear(int features, Setting s) {
        return new Case("linear", features, 0, 0, s);
    }

    static Case forest(int trees, int depth, int features, Setting s) {
        return new Case("forest", features, trees, depth, s);
    }
}
