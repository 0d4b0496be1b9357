package io.zkml.compiler.ir.ops;

import io.zkml.compiler.ir.Attributes;
import io.zkml.compiler.ir.AttributeWriter;
import io.zkml.compiler.ir.IntervalAnalysis;
import io.zkml.compiler.ir.IrOp;
import io.zkml.compiler.ir.IrTensor;
import io.zkml.compiler.ir.IrValidationException;
import io.zkml.compiler.ir.OutputSpec;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code split_bits}: {@code out[k] = 1} if {@code x[feature[k]] > thresholds[k]}, else 0.
 * {@code x} non-constant {@code [n]}, {@code thresholds} constant {@code [T]} at {@code x.scale};
 * {@code out} {@code [T]} at scale 0. Attribute {@code feature} ({@code T} entries in {@code [0, n)};
 * the pairs {@code (feature[k], thresholds[k])} sorted and distinct).
 */
public record SplitBitsOp(String x, String thresholds, String out, List<Integer> feature) implements IrOp {

    public static final String NAME = "split_bits";

    public SplitBitsOp {
        feature = List.copyOf(feature);
    }

    public static IrOp read(String where, List<String> inputs, List<String> outputs, Attributes a) throws IrValidationException {
        OpChecks.count(inputs, 2, where + ".inputs", "x, thresholds");
        OpChecks.count(outputs, 1, where + ".outputs", "out");
        return new SplitBitsOp(inputs.get(0), inputs.get(1), outputs.getFirst(), a.ints("feature"));
    }

    @Override
    public String op() {
        return NAME;
    }

    @Override
    public List<String> inputs() {
        return List.of(x, thresholds);
    }

    @Override
    public List<String> outputs() {
        return List.of(out);
    }

    @Override
    public void writeAttributes(AttributeWriter w) {
        w.ints("feature", feature);
    }

    @Override
    public List<OutputSpec> check(List<IrTensor> in, String where) throws IrValidationException {
        IrTensor xt = OpChecks.nonConstant(in, 0, "x", where);
        IrTensor tt = OpChecks.constant(in, 1, "thresholds", where);
        int n = OpChecks.rank(xt, 1, OpChecks.at(where, 0, "x", xt), "[n]").getFirst();
        int t = OpChecks.rank(tt, 1, OpChecks.at(where, 1, "thresholds", tt), "[T]").getFirst();
        OpChecks.dim(tt.scale(), xt.scale(), OpChecks.at(where, 1, "thresholds", tt), "scale (x's scale)");
        String attr = where + ".attributes.feature";
        if (feature.size() != t) {
            throw new IrValidationException(attr + ": must have T = " + t + " entries (one per threshold), got " + feature.size());
        }
        List<BigInteger> th = tt.values();
        List<BigInteger> lo = new ArrayList<>(t);
        List<BigInteger> hi = new ArrayList<>(t);
        for (int k = 0; k < t; k++) {
            int f = feature.get(k);
            if (f < 0 || f >= n) {
                throw new IrValidationException(attr + "[" + k + "]: " + f + " is not a feature index in [0, " + n + ")");
            }
            if (k > 0) {
                int p = feature.get(k - 1);
                if (f < p) {
                    throw new IrValidationException(attr + "[" + k + "]: features must be non-decreasing, got " + p + " then " + f);
                }
                if (f == p && th.get(k).compareTo(th.get(k - 1)) <= 0) {
                    throw new IrValidationException(attr + "[" + k + "]: the thresholds of feature " + f
                            + " must strictly increase, got " + th.get(k - 1) + " then " + th.get(k));
                }
            }
            lo.add(xt.lo().get(f).compareTo(th.get(k)) > 0 ? BigInteger.ONE : BigInteger.ZERO);
            hi.add(xt.hi().get(f).compareTo(th.get(k)) > 0 ? BigInteger.ONE : BigInteger.ZERO);
        }
        return List.of(new OutputSpec(List.of(t), 0, new IntervalAnalysis.Bounds(lo, hi)));
    }

    @Override
    public List<List<BigInteger>> evaluate(List<List<BigInteger>> in) {
        List<BigInteger> xv = in.get(0);
        List<BigInteger> th = in.get(1);
        List<BigInteger> out = new ArrayList<>(th.size());
        for (int k = 0; k < th.size(); k++) {
            out.add(xv.get(feature.get(k)).compareTo(th.get(k)) > 0 ? BigInteger.ONE : BigInteger.ZERO);
        }
        return List.of(List.copyOf(out));
    }
}
