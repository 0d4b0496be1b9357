package io.zkml.compiler;

import io.zkml.compiler.examples.DemoModels;
import io.zkml.compiler.ir.IrWriter;
import io.zkml.compiler.ir.ReferenceEvaluator;
import io.zkml.compiler.tribuo.FloatPrediction;
import io.zkml.compiler.tribuo.ImportedModel;
import io.zkml.compiler.tribuo.TribuoModelReader;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The quantized circuit agrees with Tribuo's own float predict on the demo models, on seeded
 * random inputs spread over the whole declared input range (docs/quantization.md, "Accuracy budget").
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FidelityTest {

    static final int SAMPLES = 500;
    /** Slack for Tribuo's own double arithmetic (the bound is exact for real arithmetic). */
    static final double FLOAT_SLACK = 1e-9;

    static ImportedModel demo(String name) throws Exception {
        return TribuoModelReader.read(Files.readAllBytes(Path.of("..", "examples", name, "model.tribuo")));
    }

    /** A demo model, its circuit compiled with the demo's declared ranges, and the circuit's error bound. */
    record Compiled(ImportedModel model, CompiledCircuit circuit, List<FeatureRange> ranges, double bound) {
        static Compiled of(String name, List<FeatureRange> ranges) throws Exception {
            ImportedModel m = demo(name);
            CompiledCircuit c = CircuitCompiler.compile(m, "fidelity", IrWriter.sha256Hex(new byte[0]),
                    QuantizationSettings.defaults().withInputRanges(ranges));
            double bound = c.quantization().errorBound();
            // Stated tolerance of the demos: 0.01 (score units, thousand USD, volatility points) on every output.
            assertThat(bound).isLessThan(0.01);
            return new Compiled(m, c, ranges, bound);
        }
    }

    static double[] randomInput(SplittableRandom r, List<FeatureRange> ranges, int k) {
        double[] x = new double[ranges.size()];
        for (int i = 0; i < x.length; i++) {
            FeatureRange fr = ranges.get(i);
            // the first samples hit the corners of the box, the rest are uniform inside it
            x[i] = k < 4 ? ((k >> (i % 2)) % 2 == 0 ? fr.min() : fr.max()) : r.nextDouble(fr.min(), Math.nextUp(fr.max()));
        }
        return x;
    }

    @Test
    void eth_price_regression_outputs_stay_within_the_proven_error_bound() throws Exception {
        Compiled d = Compiled.of("eth-price", DemoModels.ETH_RANGES);
        SplittableRandom r = new SplittableRandom(1001);
        double worst = 0;
        for (int k = 0; k < SAMPLES; k++) {
            double[] x = randomInput(r, d.ranges(), k);
            FloatPrediction fp = d.model().predict(x);
            Fidelity f = Fidelity.of(fp, d.circuit().predict(x));
            assertThat(f.maxAbsoluteError()).as("input %s", Arrays.toString(x)).isLessThanOrEqualTo(d.bound() + FLOAT_SLACK);
            assertThat(f.absoluteErrors()).containsOnlyKeys(d.model().outputs());
            worst = Math.max(worst, f.maxAbsoluteError());
        }
        assertThat(worst).as("the bound is not vacuous: errors actually occur").isPositive();
    }

    @Test
    void credit_risk_scores_stay_within_the_bound_and_labels_agree_except_within_twice_the_bound() throws Exception {
        Compiled d = Compiled.of("credit-risk", DemoModels.CREDIT_RANGES);
        int accScale = d.circuit().quantization().outputScale();
        SplittableRandom r = new SplittableRandom(2002);
        int agree = 0;
        double worst = 0;
        Set<String> seen = new HashSet<>();
        for (int k = 0; k < SAMPLES; k++) {
            double[] x = randomInput(r, d.ranges(), k);
            double[] s = linearScores(d.model(), x);
            // the scores the circuit's argmax reads: the exact accumulator, dequantized
            List<BigInteger> acc = ReferenceEvaluator.evaluateAll(d.circuit().ir(), d.circuit().quantizeInput(x)).get("acc");
            for (int j = 0; j < s.length; j++) {
                double err = Math.abs(Quantizer.dequantize(acc.get(j), accScale) - s[j]);
                assertThat(err).as("score %d on input %s", j, Arrays.toString(x)).isLessThanOrEqualTo(d.bound() + FLOAT_SLACK);
                worst = Math.max(worst, err);
            }
            FloatPrediction fp = d.model().predict(x);
            Fidelity f = Fidelity.of(fp, d.circuit().predict(x));
            seen.add(fp.label());
            if (f.labelsAgree()) {
                agree++;
            } else {
                // a disagreement is only allowed when the top two float scores are within 2·bound
                double[] sorted = s.clone();
                Arrays.sort(sorted);
                double gap = sorted[sorted.length - 1] - sorted[sorted.length - 2];
                assertThat(gap).as("input %s", Arrays.toString(x)).isLessThanOrEqualTo(2 * d.bound() + FLOAT_SLACK);
            }
        }
        assertThat(worst).as("the bound is not vacuous: score errors actually occur").isPositive();
        assertThat(seen).as("the samples exercise every label").containsExactlyInAnyOrderElementsOf(d.model().outputs());
        assertThat(agree).as("labels that agree out of %d", SAMPLES).isGreaterThanOrEqualTo(SAMPLES - 2);
    }

    @Test
    void freshly_trained_demo_models_agree_with_their_circuits_too() throws Exception {
        // The committed models come from DemoModels; a fresh training run has the same weights.
        for (DemoModels.Demo d : List.of(DemoModels.creditRisk(), DemoModels.ethPrice())) {
            ImportedModel fresh = TribuoModelReader.read(io.zkml.compiler.tribuo.TribuoFixtures.protobufBytes(d.model()));
            ImportedModel committed = demo(d.name());
            assertThat(fresh.weights()).isDeepEqualTo(committed.weights());
            assertThat(fresh.biases()).isEqualTo(committed.biases());
        }
    }

    static double[] linearScores(ImportedModel m, double[] x) {
        double[][] w = m.weights();
        double[] b = m.biases();
        double[] s = new double[b.length];
        for (int j = 0; j < s.length; j++) {
            s[j] = b[j];
            for (int i = 0; i < x.length; i++) {
                s[j] += w[j][i] * x[i];
            }
        }
        return s;
    }
}
