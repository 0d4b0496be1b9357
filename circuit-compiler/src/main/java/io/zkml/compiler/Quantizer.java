package io.zkml.compiler;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * The one rounding rule of the compiler: {@code q = round(v · 2^scale)}, ties away from zero,
 * computed exactly on the binary value of the double with {@link BigDecimal} (no float
 * multiplication, no platform quirks).
 */
public final class Quantizer {

    /** Name of the rounding rule, as recorded in the IR and the report. */
    public static final String ROUNDING = "half-away-from-zero";

    private Quantizer() {
    }

    private static final double TWO_52 = 0x1p52;

    /** {@code round(v · 2^scale)}, ties away from zero; {@code v} must be finite. */
    public static BigInteger quantize(double v, int scale) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("cannot quantize a non-finite value: " + v);
        }
        if (scale >= 0 && scale <= 1023) {
            // Fast path, the same integer: v · 2^scale is exact in a double (a power-of-two scaling up
            // loses no bit unless it overflows), and below 2^52 both its floor and the fraction
            // a − floor(a) are exact, so comparing the fraction with 0.5 is the exact rule.
            double t = Math.scalb(v, scale);
            double a = Math.abs(t);
            if (a < TWO_52) {
                double f = Math.floor(a);
                long q = (long) f + (a - f >= 0.5 ? 1 : 0);
                return BigInteger.valueOf(t < 0 ? -q : q);
            }
        }
        BigDecimal pow = new BigDecimal(BigInteger.ONE.shiftLeft(Math.abs(scale)));
        // Both are exact: a double times or divided by a power of two has a finite decimal expansion.
        BigDecimal exact = scale >= 0 ? new BigDecimal(v).multiply(pow) : new BigDecimal(v).divide(pow);
        return exact.setScale(0, RoundingMode.HALF_UP).toBigIntegerExact();
    }

    /** The real value {@code q / 2^scale}, correctly rounded to the nearest double. */
    public static double dequantize(BigInteger q, int scale) {
        if (scale >= 0) {
            return new BigDecimal(q).divide(new BigDecimal(BigInteger.ONE.shiftLeft(scale))).doubleValue();
        }
        return new BigDecimal(q.shiftLeft(-scale)).doubleValue();
    }

    /** The smallest {@code e} with {@code |v| ≤ 2^e} (0 for v = 0; may be negative). */
    static int ceilLog2(double v) {
        double a = Math.abs(v);
        if (a == 0) {
            return 0;
        }
        int e = Math.getExponent(a);
        if (e < Double.MIN_EXPONENT) { // subnormal
            e = Double.MIN_EXPONENT - 1;
        }
        return a > Math.scalb(1.0, e) ? e + 1 : e;
    }
}
