package io.zkml.compiler.ir;

import java.math.BigInteger;
import java.util.List;

/**
 * A tensor of the graph: {@code shape} (row-major, values stored flat), fixed-point {@code scale}
 * (value = integer / 2^scale), and per-element bounds {@code lo[i] ≤ v[i] ≤ hi[i]}. For an input
 * the bounds are the allowed range; for intermediates and outputs the exact interval-analysis
 * bounds of the op that writes them; a constant has {@code values} and its bounds are its values
 * ({@link #lo()} and {@link #hi()} return them).
 *
 * <p>Build tensors with {@link #input}, {@link #constant}, {@link #intermediate}, {@link #output}
 * (or let {@link IrGraph} compute op outputs). The record does not validate itself:
 * {@link IrReader#validate(CircuitIr)} does.
 *
 * @param values the constant's values (flat, row-major); null for every other role
 */
public record IrTensor(String name, Role role, Visibility visibility, List<Integer> shape, int scale,
                       List<BigInteger> lo, List<BigInteger> hi, List<BigInteger> values) {

    public IrTensor {
        shape = List.copyOf(shape);
        if (role == Role.CONSTANT && visibility == Visibility.HASHED) {
            // A hashed constant (issue 8, hashed weights): no values in the document, a declared
            // range; its values are private witness values given at prove time.
            if (values != null) {
                throw new IllegalArgumentException("hashed constant \"" + name + "\" has no values, only its declared range");
            }
            lo = List.copyOf(lo);
            hi = List.copyOf(hi);
        } else if (role == Role.CONSTANT) {
            if (values == null) {
                throw new IllegalArgumentException("constant \"" + name + "\" needs values");
            }
            values = List.copyOf(values);
            lo = values;
            hi = values;
        } else {
            if (values != null) {
                throw new IllegalArgumentException("only constants have values (tensor \"" + name + "\" is " + role.irName() + ")");
            }
            lo = List.copyOf(lo);
            hi = List.copyOf(hi);
        }
    }

    public static IrTensor input(String name, List<Integer> shape, int scale, List<BigInteger> lo, List<BigInteger> hi) {
        return new IrTensor(name, Role.INPUT, Visibility.PUBLIC, shape, scale, lo, hi, null);
    }

    /** An input of the given visibility (public, private or hashed). */
    public static IrTensor input(String name, Visibility visibility, List<Integer> shape, int scale, List<BigInteger> lo,
                                 List<BigInteger> hi) {
        return new IrTensor(name, Role.INPUT, visibility, shape, scale, lo, hi, null);
    }

    public static IrTensor constant(String name, List<Integer> shape, int scale, List<BigInteger> values) {
        return new IrTensor(name, Role.CONSTANT, Visibility.FIXED, shape, scale, null, null, values);
    }

    /** A hashed constant (issue 8: a private weight tensor) with its declared range per element. */
    public static IrTensor hashedConstant(String name, List<Integer> shape, int scale, List<BigInteger> lo, List<BigInteger> hi) {
        return new IrTensor(name, Role.CONSTANT, Visibility.HASHED, shape, scale, lo, hi, null);
    }

    /** Whether this is a hashed constant (private weights: values given at prove time, not in the document). */
    public boolean isHashedConstant() {
        return role == Role.CONSTANT && visibility == Visibility.HASHED;
    }

    public static IrTensor intermediate(String name, List<Integer> shape, int scale, List<BigInteger> lo, List<BigInteger> hi) {
        return new IrTensor(name, Role.INTERMEDIATE, Visibility.PRIVATE, shape, scale, lo, hi, null);
    }

    public static IrTensor output(String name, List<Integer> shape, int scale, List<BigInteger> lo, List<BigInteger> hi) {
        return new IrTensor(name, Role.OUTPUT, Visibility.PUBLIC, shape, scale, lo, hi, null);
    }

    /** A tensor of this role with the op-computed shape, scale and bounds (visibility: the role's). */
    public static IrTensor of(String name, Role role, OutputSpec spec) {
        return new IrTensor(name, role, role.visibility(), spec.shape(), spec.scale(),
                spec.bounds().lo(), spec.bounds().hi(), null);
    }

    /** The element count: the product of the shape (1 for an empty shape, which readers reject). */
    public int size() {
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > Integer.MAX_VALUE || n < 0) {
                return Integer.MAX_VALUE;
            }
        }
        return (int) n;
    }

    public int rank() {
        return shape.size();
    }

    public boolean isConstant() {
        return role == Role.CONSTANT;
    }

    /** {@code lo} and {@code hi} together. */
    public IntervalAnalysis.Bounds bounds() {
        return new IntervalAnalysis.Bounds(lo, hi);
    }
}
