package io.zkml.compiler;

import io.zkml.compiler.ir.ops.ArgmaxOp;
import io.zkml.compiler.ir.CircuitIr;
import io.zkml.compiler.ir.IrTensor;
import io.zkml.compiler.ir.Role;
import io.zkml.compiler.ir.ops.DenseOp;
import io.zkml.compiler.ir.IrReader;
import io.zkml.compiler.ir.IrWriter;
import io.zkml.compiler.ir.ops.RescaleOp;
import io.zkml.compiler.tribuo.ImportedModel;
import io.zkml.compiler.tribuo.TribuoFixtures;
import io.zkml.compiler.tribuo.TribuoModelReader;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CircuitCompilerTest {

    static final List<FeatureRange> UNIT = List.of(new FeatureRange(-1, 1), new FeatureRange(-1, 1));

    static FixedLinearModel regressor(double[][] w, double[] b) {
        return new FixedLinearModel(Task.REGRESSION, List.of("a", "b"), List.of("y0", "y1").subList(0, w.length), w, b, UNIT);
    }

    static FixedLinearModel classifier(double[][] w, double[] b) {
        return new FixedLinearModel(Task.CLASSIFICATION, List.of("a", "b"), List.of("l0", "l1", "l2").subList(0, w.length), w, b, UNIT);
    }

    static QuantizationSettings ranges(List<FeatureRange> r) {
        return QuantizationSettings.defaults().withInputRanges(r);
    }

    @Test
    void the_same_model_and_settings_compile_to_identical_bytes() throws Exception {
        byte[] modelBytes = TribuoFixtures.protobufBytes(TribuoFixtures.logisticModel());
        String sha = IrWriter.sha256Hex(modelBytes);

        CompiledCircuit first = CircuitCompiler.compile(TribuoModelReader.read(modelBytes), "demo", sha, QuantizationSettings.defaults());
        CompiledCircuit second = CircuitCompiler.compile(TribuoModelReader.read(modelBytes), "demo", sha, QuantizationSettings.defaults());

        assertThat(second.irJson()).isEqualTo(first.irJson());
        assertThat(second.circuitHash()).isEqualTo(first.circuitHash()).matches("[0-9a-f]{64}");
        assertThat(IrWriter.write(IrReader.read(first.irJson()))).as("canonical: reading and writing changes nothing")
                .isEqualTo(first.irJson());
    }

    @Test
    void different_settings_give_a_different_circuit_hash() throws Exception {
        var m = regressor(new double[][]{{1.5, -2}}, new double[]{0.25});
        var a = CircuitCompiler.compile(m, "m", null, ranges(UNIT));
        var b = CircuitCompiler.compile(m, "m", null, ranges(UNIT).withScales(10, null));
        assertThat(b.circuitHash()).isNotEqualTo(a.circuitHash());
    }

    @Test
    void the_ir_records_source_producer_and_quantization() throws Exception {
        var c = CircuitCompiler.compile(regressor(new double[][]{{1.5, -2}}, new double[]{0.25}), "my model", "ab".repeat(32), ranges(UNIT));
        CircuitIr ir = c.ir();
        assertThat(ir.name()).isEqualTo("my model");
        assertThat(ir.producer()).isEqualTo(new CircuitIr.Producer("zkml-circuit-compiler", CircuitCompiler.version()));
        assertThat(ir.source()).isEqualTo(new CircuitIr.Source("tribuo", "ab".repeat(32), "test.FixedLinearModel"));
        assertThat(ir.quantization().get("rounding").stringValue()).isEqualTo("half-away-from-zero");
        assertThat(new String(c.irJson())).startsWith("{\n  \"format\": \"zkml-ir\",\n  \"version\": 2,\n");
    }

    @Test
    void regression_lowers_to_dense_then_a_rounding_rescale_back_to_the_input_scale() throws Exception {
        var c = CircuitCompiler.compile(regressor(new double[][]{{1.5, -2}}, new double[]{0.25}), "r", null,
                ranges(UNIT).withScales(4, 3));
        CircuitIr ir = c.ir();

        assertThat(ir.ops()).hasSize(2);
        DenseOp dense = (DenseOp) ir.ops().get(0);
        RescaleOp rescale = (RescaleOp) ir.ops().get(1);
        assertThat(dense.inputs()).containsExactly("x", "weight", "bias");
        assertThat(ir.requireTensor("weight").shape()).containsExactly(1, 2);
        assertThat(ir.requireTensor("weight").scale()).isEqualTo(3);
        assertThat(ir.requireTensor("weight").values()).containsExactly(BigInteger.valueOf(12), BigInteger.valueOf(-16));
        // bias 0.25 at scale 4+3 = 32, plus 2^(3-1) = 4 so that the floor rounds to nearest
        assertThat(ir.requireTensor("bias").values()).containsExactly(BigInteger.valueOf(36));
        assertThat(ir.requireTensor("bias").scale()).isEqualTo(7);
        assertThat(ir.tensors()).extracting(IrTensor::name).containsExactly("x", "weight", "bias", "acc", "y");
        assertThat(ir.tensors()).extracting(IrTensor::role)
                .containsExactly(Role.INPUT, Role.CONSTANT, Role.CONSTANT, Role.INTERMEDIATE, Role.OUTPUT);
        assertThat(ir.outputs()).containsExactly("y");
        assertThat(rescale.shift()).isEqualTo(3);
        assertThat(ir.outputTensor().scale()).isEqualTo(4);
        assertThat(ir.inputTensor().lo()).containsExactly(BigInteger.valueOf(-16), BigInteger.valueOf(-16));

        // x = (0.5, -0.25) → 8, -4 → acc = 36 + 96 + 64 = 196 → floor(196/8) = 24 → 24/16 = 1.5 (float: 1.25+0.5+0.25=... )
        List<BigInteger> q = c.quantizeInput(new double[]{0.5, -0.25});
        assertThat(q).containsExactly(BigInteger.valueOf(8), BigInteger.valueOf(-4));
        assertThat(c.evaluate(q)).containsExactly(BigInteger.valueOf(24));
        assertThat(c.dequantize(c.evaluate(q)).values()).containsEntry("y0", 1.5);
        assertThat(c.quantization().outputScale()).isEqualTo(4);
    }

    @Test
    void classification_lowers_to_dense_then_argmax_on_the_exact_accumulator() throws Exception {
        var c = CircuitCompiler.compile(classifier(new double[][]{{1, 0}, {0, 1}, {1, 1}}, new double[]{0, 0, -0.5}), "c", null,
                ranges(UNIT));
        assertThat(c.ir().ops()).hasSize(2);
        assertThat(c.ir().ops().get(1)).isInstanceOf(ArgmaxOp.class);
        assertThat(c.ir().labels()).containsExactly("l0", "l1", "l2");
        assertThat(c.predict(new double[]{0.9, 0.2}).label()).isEqualTo("l0");
        assertThat(c.predict(new double[]{0.2, 0.9}).label()).isEqualTo("l1");
        assertThat(c.predict(new double[]{0.9, 0.9}).label()).isEqualTo("l2");
        // an exact tie between l0 and l1 goes to the lowest index, as in Tribuo
        assertThat(c.predict(new double[]{0.25, 0.25}).label()).isEqualTo("l0");
        assertThat(c.quantization().outputScale()).isEqualTo(c.quantization().inputScale() + c.quantization().weightScale());
    }

    @Test
    void at_coarse_scales_every_output_and_score_stays_within_the_error_bound_which_is_nearly_attained() throws Exception {
        // Weights and biases sit exactly half a unit between two integers at their scale, so each
        // rounds by the full δw / δb, away from zero; the inputs hit every half unit of the input
        // scale, so input rounding reaches δx. Then the worst case comes close to the bound and a
        // bound missing a term fails here. Negative weights, inputs and accumulators exercise the
        // rounding of negatives and the floor of the rescale.
        List<FeatureRange> box = List.of(new FeatureRange(-3, 3), new FeatureRange(-3, 3));
        for (int[] scales : new int[][]{{0, 1}, {1, 1}, {0, 2}, {2, 2}, {1, 3}, {3, 0}, {2, 4}}) {
            int sIn = scales[0];
            int sW = scales[1];
            double[][] w = {{Math.scalb(1.5, -sW), Math.scalb(-2.5, -sW)}, {Math.scalb(-3.5, -sW), Math.scalb(1.5, -sW)}};
            double[] b = {Math.scalb(5.5, -(sIn + sW)), Math.scalb(-3.5, -(sIn + sW))};
            for (Task task : Task.values()) {
                var m = task == Task.REGRESSION ? regressor(w, b) : classifier(w, b);
                var c = CircuitCompiler.compile(m, "coarse", null, ranges(box).withScales(sIn, sW));
                double bound = c.quantization().errorBound();
                int scale = c.quantization().outputScale();
                String what = task + " at scales " + sIn + "/" + sW;
                double worst = 0;
                int steps = 6 << (sIn + 1);
                for (int p = 0; p <= steps; p++) {
                    for (int q = 0; q <= steps; q++) {
                        double[] x = {-3 + Math.scalb((double) p, -(sIn + 1)), -3 + Math.scalb((double) q, -(sIn + 1))};
                        List<BigInteger> qx = c.quantizeInput(x);
                        // regression: the output; classification: the accumulator the argmax reads
                        List<BigInteger> out = task == Task.REGRESSION ? c.evaluate(qx)
                                : io.zkml.compiler.ir.ReferenceEvaluator.evaluateAll(c.ir(), qx).get("acc");
                        for (int j = 0; j < 2; j++) {
                            double exact = b[j] + w[j][0] * x[0] + w[j][1] * x[1]; // dyadic: exact in doubles
                            double err = Math.abs(Quantizer.dequantize(out.get(j), scale) - exact);
                            assertThat(err).as("%s, x %s, output %d", what, java.util.Arrays.toString(x), j)
                                    .isLessThanOrEqualTo(bound);
                            worst = Math.max(worst, err);
                        }
                    }
                }
                assertThat(worst).as("%s: worst error vs bound %s", what, bound).isGreaterThan(0.8 * bound);
            }
        }
    }

    @Test
    void default_scales_give_about_20_bits_of_input_and_of_weight_magnitude() throws Exception {
        var c = CircuitCompiler.compile(regressor(new double[][]{{8, -0.5}}, new double[]{1}), "r", null,
                ranges(List.of(new FeatureRange(-1, 1), new FeatureRange(0, 300))));
        // |x| ≤ 300 ≤ 2^9 → inputScale 20 − 9 = 11; |w| ≤ 8 = 2^3 → weightScale 20 − 3 = 17
        assertThat(c.quantization().inputScale()).isEqualTo(11);
        assertThat(c.quantization().weightScale()).isEqualTo(17);
        assertThat(c.ir().inputTensor().hi().get(1).bitLength()).isLessThanOrEqualTo(21);
    }

    @Test
    void user_scales_override_the_defaults_and_nonsense_scales_are_compile_errors() throws Exception {
        var m = regressor(new double[][]{{1, 1}}, new double[]{0});
        var c = CircuitCompiler.compile(m, "r", null, ranges(UNIT).withScales(6, 9));
        assertThat(c.quantization().inputScale()).isEqualTo(6);
        assertThat(c.quantization().weightScale()).isEqualTo(9);

        for (int[] bad : new int[][]{{-1, 8}, {65, 8}, {8, -1}, {8, 129}}) {
            assertThatThrownBy(() -> CircuitCompiler.compile(m, "r", null, ranges(UNIT).withScales(bad[0], bad[1])))
                    .isInstanceOf(CompilationException.class).hasMessageContaining("Scale must be in");
        }
    }

    @Test
    void bounds_beyond_2_to_the_248_are_an_overflow_error_not_a_wrap() {
        var m = regressor(new double[][]{{1e30, 1}}, new double[]{0});
        var huge = List.of(new FeatureRange(-1e30, 1e30), new FeatureRange(-1, 1));
        assertThatThrownBy(() -> CircuitCompiler.compile(m, "r", null, ranges(huge).withScales(64, 128)))
                .isInstanceOf(CompilationException.class).hasMessageContaining("overflow").hasMessageContaining("2^248");
    }

    @Test
    void a_weight_or_bias_beyond_2_to_the_248_is_an_overflow_error_even_when_the_accumulator_is_small() {
        // feature "a" is fixed at 0, so the huge weight adds nothing to the accumulator bounds
        var zeroA = List.of(new FeatureRange(0, 0), new FeatureRange(-1, 1));
        assertThatThrownBy(() -> CircuitCompiler.compile(regressor(new double[][]{{1e300, 1}}, new double[]{0}), "r", null, ranges(zeroA)))
                .isInstanceOf(CompilationException.class).hasMessageContaining("overflow").hasMessageContaining("weight")
                .hasMessageContaining("\"a\"");
        // "a" is fixed at 1 and its weight cancels the bias exactly: acc = 0, but the constants overflow
        var oneA = List.of(new FeatureRange(1, 1), new FeatureRange(-1, 1));
        assertThatThrownBy(() -> CircuitCompiler.compile(regressor(new double[][]{{1e100, 1}}, new double[]{-1e100}), "r", null,
                ranges(oneA).withScales(0, 0)))
                .isInstanceOf(CompilationException.class).hasMessageContaining("overflow");
    }

    @Test
    void non_finite_weights_and_mismatched_ranges_are_compile_errors() {
        assertThatThrownBy(() -> CircuitCompiler.compile(regressor(new double[][]{{Double.NaN, 1}}, new double[]{0}), "r", null, ranges(UNIT)))
                .isInstanceOf(CompilationException.class).hasMessageContaining("not finite");
        assertThatThrownBy(() -> CircuitCompiler.compile(regressor(new double[][]{{1, 1}}, new double[]{0}), "r", null,
                ranges(List.of(new FeatureRange(0, 1)))))
                .isInstanceOf(CompilationException.class).hasMessageContaining("inputRanges has 1 entries");
        assertThatThrownBy(() -> CircuitCompiler.compile(regressor(new double[][]{{1, 1}}, new double[]{0}), " ", null, ranges(UNIT)))
                .isInstanceOf(CompilationException.class);
    }

    @Test
    void sample_inputs_give_their_observed_range_widened_by_ten_percent() throws Exception {
        var s = new QuantizationSettings(null, null, null, List.of(new double[]{0, 10}, new double[]{2, 30}));
        var c = CircuitCompiler.compile(regressor(new double[][]{{1, 1}}, new double[]{0}), "r", null, s);
        assertThat(c.quantization().rangeSource()).isEqualTo("samples");
        assertThat(c.quantization().inputs().get(0).min()).isCloseTo(-0.2, within(1e-12));
        assertThat(c.quantization().inputs().get(0).max()).isCloseTo(2.2, within(1e-12));
        assertThat(c.quantization().inputs().get(1).max()).isCloseTo(32, within(1e-12));
    }

    @Test
    void without_ranges_the_training_ranges_recorded_by_tribuo_are_used() throws Exception {
        ImportedModel m = TribuoModelReader.read(TribuoFixtures.protobufBytes(TribuoFixtures.regressionModel()));
        var c = CircuitCompiler.compile(m, "r", null, QuantizationSettings.defaults());
        assertThat(c.quantization().rangeSource()).isEqualTo("training");
        for (int i = 0; i < 3; i++) {
            FeatureRange t = m.trainingRanges().get(i);
            assertThat(c.quantization().inputs().get(i).min()).isLessThan(t.min());
            assertThat(c.quantization().inputs().get(i).max()).isGreaterThan(t.max());
        }
    }

    @Test
    void input_errors_say_which_feature_and_which_range() throws Exception {
        var c = CircuitCompiler.compile(regressor(new double[][]{{1, 1}}, new double[]{0}), "r", null, ranges(UNIT));

        var count = catchThrowableOfType(InputValidationException.class, () -> c.quantizeInput(new double[]{0}));
        var nan = catchThrowableOfType(InputValidationException.class, () -> c.quantizeInput(new double[]{0, Double.NaN}));
        var range = catchThrowableOfType(InputValidationException.class, () -> c.quantizeInput(new double[]{0, 1.01}));

        assertThat(count.reason()).isEqualTo(InputValidationException.Reason.WRONG_COUNT);
        assertThat(nan.reason()).isEqualTo(InputValidationException.Reason.NOT_FINITE);
        assertThat(nan).hasMessageContaining("\"b\"");
        assertThat(range.reason()).isEqualTo(InputValidationException.Reason.OUT_OF_RANGE);
        assertThat(range).hasMessageContaining("\"b\"").hasMessageContaining("[-1.0, 1.0]");
        assertThatThrownBy(() -> c.evaluate(List.of(BigInteger.ZERO))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_circuit_read_back_from_its_ir_bytes_has_the_same_report_and_answers() throws Exception {
        var c = CircuitCompiler.compile(regressor(new double[][]{{0.3, -1.7}, {2, 0.01}}, new double[]{0.1, -4}), "r", null, ranges(UNIT));
        var back = CompiledCircuit.fromIr(c.irJson());
        assertThat(back.quantization()).isEqualTo(c.quantization());
        assertThat(back.circuitHash()).isEqualTo(c.circuitHash());
        assertThat(back.predict(new double[]{0.3, -0.9})).isEqualTo(c.predict(new double[]{0.3, -0.9}));
    }

    @Test
    void a_golden_ir_without_compiler_metadata_gets_its_ranges_from_the_input_tensor() throws Exception {
        var c = CompiledCircuit.fromIr(java.nio.file.Files.readAllBytes(
                java.nio.file.Path.of("..", "testdata", "golden", "ir-v1", "classifier-3x4.ir.json")));
        assertThat(c.quantization().rangeSource()).isEqualTo("ir");
        assertThat(c.quantization().inputs().get(2).max()).isEqualTo(1023 / 256.0);
        assertThat(c.quantization().errorBound()).isNull();
        assertThat(c.predict(new double[]{-1 / 256.0, 0, 0, 2 / 256.0}).label()).isEqualTo("medium");
    }
}
