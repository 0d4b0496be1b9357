package io.zkml.compiler.ir;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The exact interval analysis of docs/ir-format.md: the bounds of an op's output from the bounds
 * of its input. Both the compiler and {@link IrReader} use it, so they cannot disagree.
 */
public final class IntervalAnalysis {

    private IntervalAnalysis() {
    }

    /** Lower and upper bounds of a tensor. */
    public record Bounds(List<BigInteger> lo, List<BigInteger> hi) {
        public Bounds {
            lo = List.copyOf(lo);
            hi = List.copyOf(hi);
        }
    }

    /** {@code lo[j] = bias[j] + Σ_i min(w·in.lo[i], w·in.hi[i])}, {@code hi[j]} likewise with max. */
    public static Bounds dense(List<List<BigInteger>> weights, List<BigInteger> bias,
                               List<BigInteger> inLo, List<BigInteger> inHi) {
        List<BigInteger> lo = new ArrayList<>(bias.size());
        List<BigInteger> hi = new ArrayList<>(bias.size());
        for (int j = 0; j < bias.size(); j++) {
            BigInteger l = bias.get(j);
            BigInteger h = bias.get(j);
            List<BigInteger> row = weights.get(j);
            for (int i = 0; i < row.size(); i++) {
                BigInteger a = row.get(i).multiply(inLo.get(i));
                BigInteger b = row.get(i).multiply(inHi.get(i));
                l = l.add(a.min(b));
                h = h.add(a.max(b));
            }
            lo.add(l);
            hi.add(h);
        }
        return new Bounds(lo, hi);
    }

    /** {@code floor(bound / 2^shift)} for every bound. */
    public static Bounds rescale(int shift, List<BigInteger> inLo, List<BigInteger> inHi) {
        return new Bounds(inLo.stream().map(v -> v.shiftRight(shift)).toList(),
                inHi.stream().map(v -> v.shiftRight(shift)).toList());
    }

    /** {@code [0, size − 1]}. */
    public static Bounds argmax(int inSize) {
        return new Bounds(List.of(BigInteger.ZERO), List.of(BigInteger.valueOf(inSize - 1L)));
    }

    /** Whether {@code |v| < 2^248}. */
    public static boolean withinFieldLimit(BigInteger v) {
        return v.abs().compareTo(CircuitIr.BOUND_LIMIT) < 0;
    }
}
