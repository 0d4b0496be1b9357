package io.zkml.compiler.ir;

import java.math.BigInteger;
import java.util.List;

/**
 * A vector of {@code size} integers at fixed-point scale {@code scale} (value = integer / 2^scale),
 * with per-element bounds {@code lo[i] <= v[i] <= hi[i]}. For an input tensor the bounds are the
 * allowed input range; for every other tensor they are the exact interval-analysis bounds.
 */
public record IrTensor(String name, int size, int scale, List<BigInteger> lo, List<BigInteger> hi) {
    public IrTensor {
        lo = List.copyOf(lo);
        hi = List.copyOf(hi);
    }
}
