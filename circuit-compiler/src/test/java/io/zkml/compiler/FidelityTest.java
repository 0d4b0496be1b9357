package io.zkml.compiler;

import io.zkml.compiler.examples.DemoModels;
import io.zkml.compiler.ir.IrWriter;
import io.zkml.compiler.tribuo.FloatPrediction;
import io.zkml.compiler.tribuo.ImportedModel;
import io.zkml.compiler.tribuo.TribuoModelReader;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    static CompiledCircuit compile(ImportedModel m, List<FeatureRange> ranges) throws Exception {
        return CircuitCompiler.compile(m, "fidelity", IrWriter.sha256Hex(new byte[0]), QuantizationSettings.defaults().withInputRanges(ranges));
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
        ImportedModel m = demo("eth-price");
        CompiledCircuit c = compile(m, DemoModels.ETH_RANGES);
        double bound = c.quantization().errorBound();
        // Stated tolerance of this demo: 0.01 (thousand USD / volatility points) on every output.
        assertThat(bound).isLessThan(0.01);

        SplittableRandom r = new SplittableRandom(1001);
        double worst = 0;
        for (int k = 0; k < SAMPLES; k++) {
            double[] x = randomInput(r, DemoModels.ETH_RANGES, k);
            FloatPrediction fp = m.predict(x);
            Fidelity f = Fidelity.of(fp, c.predict(x));
            assertThat(f.maxAbsoluteError()).as("input %s", java.util.Arrays.toString(x)).isLessThanOrEqualTo(bound + FLOAT_SLACK);
            assertThat(f.absoluteErrors()).containsOnlyKeys(m.outputs());
            worst = Math.max(worst, f.maxAbsoluteError());
        }
        assertThat(worst).as("the bound is not vacuous: errors actually occur").isPositive();
    }

    @Test
    void credit_risk_labels_agree_with_tribuo_except_within_the_proven_score_margin() throws Exception {
        ImportedModel m = demo("credit-risk");
        CompiledCircuit c = compile(m, DemoModels.CREDIT_RANGES);
        double bound = c.quantization().errorBound();
        assertThat(bound).isLessThan(0.01);

        SplittableRandom r = new SplittableRandom(2002);
        int agree = 0;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int k = 0; k < SAMPLES; k++) {
            double[] x = randomInput(r, DemoModels.CREDIT_RANGES, k);
            FloatPrediction fp = m.predict(x);
            Fidelity f = Fidelity.of(fp, c.predict(x));
            seen.add(fp.label());
            if (f.labelsAgree()) {
                agree++;
            } else {
                // a disagreement is only allowed when the top two float scores are within 2·bound
                double[] s = linearScores(m, x);
                double top = Double.NEGATIVE_INFINITY;
                double second = Double.NEGATIVE_INFINITY;
                for (double v : s) {
                    if (v > top) {
                        second = top;
                        top = v;
                    } else if (v > second) {
                        second = v;
                    }
                }
                assertThat(top - second).as("input %s", java.util.Arrays.toString(x)).isLessThanOrEqualTo(2 * bound + FLOAT_SLACK);
            }
        }
        assertThat(seen).as("the samples exercise every label").containsExactlyInAnyOrderElementsOf(m.outputs());
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
