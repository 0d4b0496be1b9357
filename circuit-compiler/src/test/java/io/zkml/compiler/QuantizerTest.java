package io.zkml.compiler;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class QuantizerTest {

    static BigInteger q(double v, int scale) {
        return Quantizer.quantize(v, scale);
    }

    @Test
    void ties_round_away_from_zero() {
        assertThat(q(0.5, 0)).isEqualTo(1);
        assertThat(q(-0.5, 0)).isEqualTo(-1);
        assertThat(q(2.5, 0)).isEqualTo(3);
        assertThat(q(-2.5, 0)).isEqualTo(-3);
        assertThat(q(0.375, 2)).isEqualTo(2);   // 1.5 → 2
        assertThat(q(-0.375, 2)).isEqualTo(-2); // -1.5 → -2
    }

    @Test
    void rounding_uses_the_exact_binary_value_of_the_double() {
        // 0.1 is slightly above 1/10 in binary: 0.1·2^3 = 0.8000000000000000444 → 1
        assertThat(q(0.1, 3)).isEqualTo(1);
        assertThat(q(1.0 / 3, 20)).isEqualTo(349525);  // 349525.33…
        assertThat(q(Math.scalb(1.0, -30), 29)).isEqualTo(1); // exactly 0.5 → 1
        assertThat(q(-Math.scalb(1.0, -30), 29)).isEqualTo(-1);
    }

    @Test
    void large_values_and_scales_are_exact() {
        assertThat(q(1e30, 64)).isEqualTo(new java.math.BigDecimal(1e30).toBigIntegerExact().shiftLeft(64));
        assertThat(q(12345.0, -4)).isEqualTo(772); // 771.5625 → 772
    }

    @Test
    void non_finite_values_cannot_be_quantized() {
        assertThatThrownBy(() -> q(Double.NaN, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> q(Double.POSITIVE_INFINITY, 4)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dequantize_is_the_exact_quotient_rounded_once() {
        assertThat(Quantizer.dequantize(BigInteger.valueOf(-3), 2)).isEqualTo(-0.75);
        assertThat(Quantizer.dequantize(BigInteger.valueOf(5), -3)).isEqualTo(40.0);
        assertThat(Quantizer.dequantize(BigInteger.ONE.shiftLeft(200).add(BigInteger.ONE), 200)).isEqualTo(1.0);
    }

    @Test
    void ceil_log2_is_the_smallest_power_covering_the_value() {
        assertThat(Quantizer.ceilLog2(1.0)).isEqualTo(0);
        assertThat(Quantizer.ceilLog2(1.5)).isEqualTo(1);
        assertThat(Quantizer.ceilLog2(300)).isEqualTo(9);
        assertThat(Quantizer.ceilLog2(256)).isEqualTo(8);
        assertThat(Quantizer.ceilLog2(0.3)).isEqualTo(-1);
        assertThat(Quantizer.ceilLog2(0)).isEqualTo(0);
    }

    /** The double fast path of {@link Quantizer#quantize} gives exactly the BigDecimal rule's integer. */
    @Test
    void the_fast_path_equals_the_exact_rule() {
        java.util.Random r = new java.util.Random(61);
        double[] special = {0.5, -0.5, 1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994, 0x1p51 + 0.5,
                0x1p52 - 1, -0x1p52 + 1, 0x1p52, Double.MIN_VALUE, -Double.MIN_VALUE, 1e-300, 0.0, -0.0, 4503599627370495.5};
        for (double v : special) {
            for (int s = 0; s <= 64; s++) {
                assertThat(Quantizer.quantize(v, s)).as("%s at %d", v, s).isEqualTo(exact(v, s));
            }
        }
        for (int k = 0; k < 20000; k++) {
            double v = (r.nextDouble() - 0.5) * Math.scalb(1.0, r.nextInt(80) - 40);
            if (k % 3 == 0) {
                v = Math.scalb(Math.rint(Math.scalb(v, 20)) + 0.5, -20); // a tie at scale 20
            }
            int s = r.nextInt(70);
            assertThat(Quantizer.quantize(v, s)).as("%s at %d", v, s).isEqualTo(exact(v, s));
        }
    }

    static BigInteger exact(double v, int scale) {
        return new java.math.BigDecimal(v).multiply(new java.math.BigDecimal(BigInteger.ONE.shiftLeft(scale)))
                .setScale(0, java.math.RoundingMode.HALF_UP).toBigIntegerExact();
    }
}
