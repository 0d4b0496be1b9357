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
 * {@code dense}: {@code out[j] = bias[j] + Σ_i weight[j][i] · x[i]} (exact). {@code x} non-constant
 * {@code [n]}, {@code weight} constant {@code [m, n]}, {@code bias} constant {@code [m]} at the
 * output scale; {@code out} is {@code [m]} at {@code x.scale + weight.scale}. No attributes.
 */
public record DenseOp(String x, String weight, String bias, String out) implements IrOp {

    public static final String NAME = "dense";

    public static IrOp read(String where, List<String> inputs, List<String> outputs, Attributes a) throws IrValidationException {
        OpChecks.count(inputs, 3, where + ".inputs", "x, weight, bias");
        OpChecks.count(outputs, 1, where + ".outputs", "out");
        return new DenseOp(inputs.get(0), inputs.get(1), inputs.get(2), outputs.getFirst());
    }

    @Override
    public String op() {
        return NAME;
    }

    @Override
    public List<String> inputs() {
        return List.of(x, weight, bias);
    }

    @Override
    public List<String> outputs() {
        return List.of(out);
    }

    @Override
    public void writeAttributes(AttributeWriter w) {
    }

    @Override
    public List<OutputSpec> check(List<IrTensor> in, String where) throws IrValidationException {
        IrTensor xt = OpChecks.nonConstant(in, 0, "x", where);
        IrTensor wt = OpChecks.weight(in, 1, "weight", where);
        IrTensor bt = OpChecks.weight(in, 2, "bias", where);
        int n = OpChecks.rank(xt, 1, OpChecks.at(where, 0, "x", xt), "[n]").getFirst();
        List<Integer> ws = OpChecks.rank(wt, 2, OpChecks.at(where, 1, "weight", wt), "[m, n]");
        int m = ws.get(0);
        OpChecks.dim(ws.get(1), n, OpChecks.at(where, 1, "weight", wt), "shape[1] (x's n)");
        OpChecks.rank(bt, 1, OpChecks.at(where, 2, "bias", bt), "[m]");
        OpChecks.dim(bt.shape().getFirst(), m, OpChecks.at(where, 2, "bias", bt), "shape[0] (weight's m)");
        int scale = OpChecks.scale((long) xt.scale() + wt.scale(), where);
        OpChecks.dim(bt.scale(), scale, OpChecks.at(where, 2, "bias", bt), "scale (the output scale x.scale + weight.scale)");
        List<BigInteger> lo = new ArrayList<>(m);
        List<BigInteger> hi = new ArrayList<>(m);
        for (int j = 0; j < m; j++) {
            BigInteger l = bt.lo().get(j);
            BigInteger h = bt.hi().get(j);
            List<BigInteger> rowLo = OpChecks.row(wt.lo(), j, n);
            List<BigInteger> rowHi = OpChecks.row(wt.hi(), j, n);
            for (int i = 0; i < n; i++) {
                // The product of two intervals (a fixed weight is the interval [w, w]): the min and
                // max of the four corner products (issue 8: hashed weights are range-checked witnesses).
                BigInteger p1 = rowLo.get(i).multiply(xt.lo().get(i));
                BigInteger p2 = rowLo.get(i).multiply(xt.hi().get(i));
                BigInteger p3 = rowHi.get(i).multiply(xt.lo().get(i));
                BigInteger p4 = rowHi.get(i).multiply(xt.hi().get(i));
                l = l.add(p1.min(p2).min(p3.min(p4)));
                h = h.add(p1.max(p2).max(p3.max(p4)));
            }
            lo.add(l);
            hi.add(h);
        }
        return List.of(new OutputSpec(List.of(m), scale, new IntervalAnalysis.Bounds(lo, hi)));
    }

    @Override
    public List<List<BigInteger>> evaluate(List<List<BigInteger>> in) {
        List<BigInteger> xv = in.get(0);
        List<BigInteger> w = in.get(1);
        List<BigInteger> b = in.get(2);
        int n = xv.size();
        List<BigInteger> out = new ArrayList<>(b.size());
        for (int j = 0; j < b.size(); j++) {
            BigInteger acc = b.get(j);
            for (int i = 0; i < n; i++) {
                acc = acc.add(w.get(j * n + i).multiply(xv.get(i)));
            }
            out.add(acc);
        }
        return List.of(List.copyOf(out));
    }
}
