package io.zkml.compiler.ir.ops;

import io.zkml.compiler.ir.IrTensor;
import io.zkml.compiler.ir.IrValidationException;

import java.math.BigInteger;
import java.util.List;

/** Checks shared by the op records; messages locate the value ({@code ops[1].inputs[2] (bias "b"): ...}). */
public final class OpChecks {

    private OpChecks() {
    }

    /** Exactly {@code n} tensor names at {@code where.inputs} / {@code where.outputs}. */
    public static void count(List<String> names, int n, String where, String what) throws IrValidationException {
        if (names.size() != n) {
            throw new IrValidationException(where + " must have " + n + " entr" + (n == 1 ? "y" : "ies") + " (" + what
                    + "), got " + names.size());
        }
    }

    /** A label for position {@code pos} of the op's inputs. */
    public static String at(String where, int pos, String role, IrTensor t) {
        return where + ".inputs[" + pos + "] (" + role + " \"" + t.name() + "\")";
    }

    public static IrTensor nonConstant(List<IrTensor> in, int pos, String role, String where) throws IrValidationException {
        IrTensor t = in.get(pos);
        if (t.isConstant()) {
            throw new IrValidationException(at(where, pos, role, t) + ": must not be a constant");
        }
        return t;
    }

    public static IrTensor constant(List<IrTensor> in, int pos, String role, String where) throws IrValidationException {
        IrTensor t = weight(in, pos, role, where);
        if (t.isHashedConstant()) {
            throw new IrValidationException(at(where, pos, role, t)
                    + ": must be a fixed constant: hashed constants are the weights and biases of dense ops only");
        }
        return t;
    }

    /** A constant, fixed or hashed (dense's weight and bias; issue 8). */
    public static IrTensor weight(List<IrTensor> in, int pos, String role, String where) throws IrValidationException {
        IrTensor t = in.get(pos);
        if (!t.isConstant()) {
            throw new IrValidationException(at(where, pos, role, t) + ": must be a constant, got role " + t.role().irName());
        }
        return t;
    }

    /** The tensor has rank {@code rank}; returns its shape. */
    public static List<Integer> rank(IrTensor t, int rank, String label, String shapeText) throws IrValidationException {
        if (t.rank() != rank) {
            throw new IrValidationException(label + ": shape must be " + shapeText + ", got " + t.shape());
        }
        return t.shape();
    }

    public static void dim(int actual, int expected, String label, String what) throws IrValidationException {
        if (actual != expected) {
            throw new IrValidationException(label + ": " + what + " must be " + expected + ", got " + actual);
        }
    }

    /** A scale sum or difference, which must stay a valid scale. */
    public static int scale(long s, String where) throws IrValidationException {
        if (s < -1024 || s > 1024) {
            throw new IrValidationException(where + ": the output scale " + s + " is outside [-1024, 1024]");
        }
        return (int) s;
    }

    public static List<BigInteger> row(List<BigInteger> flat, int row, int width) {
        return flat.subList(row * width, (row + 1) * width);
    }

    public static BigInteger big(long v) {
        return BigInteger.valueOf(v);
    }
}
