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
import java.util.Arrays;
import java.util.List;

/**
 * {@code conv2d}: {@code out[m, i, j] = bias[m] + Σ_{c,u,v} weight[m, c, u, v] · x[c, i·SH − PT + u, j·SW − PL + v]}
 * over the taps inside the image (zero padding), exact. {@code x} non-constant {@code [C, H, W]},
 * {@code weight} constant {@code [M, C, KH, KW]}, {@code bias} constant {@code [M]} at the output
 * scale {@code x.scale + weight.scale}; {@code out} is {@code [M, OH, OW]} ({@link Window2d}).
 * Attributes {@code strides} {@code [SH, SW]}, {@code pads} {@code [PT, PL, PB, PR]}.
 */
public record Conv2dOp(String x, String weight, String bias, String out, List<Integer> strides, List<Integer> pads)
        implements IrOp {

    public static final String NAME = "conv2d";

    public Conv2dOp {
        strides = List.copyOf(strides);
        pads = List.copyOf(pads);
    }

    public static IrOp read(String where, List<String> inputs, List<String> outputs, Attributes a) throws IrValidationException {
        OpChecks.count(inputs, 3, where + ".inputs", "x, weight, bias");
        OpChecks.count(outputs, 1, where + ".outputs", "out");
        return new Conv2dOp(inputs.get(0), inputs.get(1), inputs.get(2), outputs.getFirst(), a.ints("strides"), a.ints("pads"));
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
        w.ints("strides", strides);
        w.ints("pads", pads);
    }

    /** The geometry, for inputs that {@link #check} accepted. */
    public Window2d window(IrTensor xt, IrTensor wt) {
        try {
            return Window2d.of(xt, "x", wt.shape().get(2), wt.shape().get(3), strides, pads, "conv2d");
        } catch (IrValidationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public List<OutputSpec> check(List<IrTensor> in, String where) throws IrValidationException {
        IrTensor xt = OpChecks.nonConstant(in, 0, "x", where);
        IrTensor wt = OpChecks.constant(in, 1, "weight", where);
        IrTensor bt = OpChecks.constant(in, 2, "bias", where);
        String xl = OpChecks.at(where, 0, "x", xt);
        OpChecks.rank(xt, 3, xl, "[C, H, W]");
        List<Integer> ws = OpChecks.rank(wt, 4, OpChecks.at(where, 1, "weight", wt), "[M, C, KH, KW]");
        OpChecks.dim(ws.get(1), xt.shape().getFirst(), OpChecks.at(where, 1, "weight", wt), "shape[1] (x's channels C)");
        Window2d g = Window2d.of(xt, xl, ws.get(2), ws.get(3), strides, pads, where);
        int m = ws.getFirst();
        OpChecks.rank(bt, 1, OpChecks.at(where, 2, "bias", bt), "[M]");
        OpChecks.dim(bt.shape().getFirst(), m, OpChecks.at(where, 2, "bias", bt), "shape[0] (weight's M)");
        int scale = OpChecks.scale((long) xt.scale() + wt.scale(), where);
        OpChecks.dim(bt.scale(), scale, OpChecks.at(where, 2, "bias", bt), "scale (the output scale x.scale + weight.scale)");
        int size = m * g.oh() * g.ow();
        BigInteger[] lo = new BigInteger[size];
        BigInteger[] hi = new BigInteger[size];
        List<BigInteger> w = wt.values();
        for (int o = 0; o < m; o++) {
            for (int i = 0; i < g.oh(); i++) {
                for (int j = 0; j < g.ow(); j++) {
                    BigInteger[] lh = {bt.values().get(o), bt.values().get(o)};
                    int oo = o;
                    for (int c = 0; c < g.c(); c++) {
                        int cc = c;
                        g.taps(i, j, (u, v, p, q) -> {
                            BigInteger wv = w.get(((oo * g.c() + cc) * g.kh() + u) * g.kw() + v);
                            int k = g.index(cc, p, q);
                            BigInteger a = wv.multiply(xt.lo().get(k));
                            BigInteger b = wv.multiply(xt.hi().get(k));
                            lh[0] = lh[0].add(a.min(b));
                            lh[1] = lh[1].add(a.max(b));
                        });
                    }
                    int k = (o * g.oh() + i) * g.ow() + j;
                    lo[k] = lh[0];
                    hi[k] = lh[1];
                }
            }
        }
        return List.of(new OutputSpec(List.of(m, g.oh(), g.ow()), scale,
                new IntervalAnalysis.Bounds(Arrays.asList(lo), Arrays.asList(hi))));
    }

    @Override
    public List<List<BigInteger>> evaluate(List<List<BigInteger>> in) {
        throw new UnsupportedOperationException("conv2d needs its inputs' shapes: evaluate(inputs, tensors)");
    }

    @Override
    public List<List<BigInteger>> evaluate(List<List<BigInteger>> in, List<IrTensor> tensors) {
        Window2d g = window(tensors.get(0), tensors.get(1));
        List<BigInteger> xv = in.get(0);
        List<BigInteger> w = in.get(1);
        List<BigInteger> b = in.get(2);
        int m = b.size();
        BigInteger[] out = new BigInteger[m * g.oh() * g.ow()];
        for (int o = 0; o < m; o++) {
            int oo = o;
            for (int i = 0; i < g.oh(); i++) {
                for (int j = 0; j < g.ow(); j++) {
                    BigInteger[] acc = {b.get(o)};
                    for (int c = 0; c < g.c(); c++) {
                        int cc = c;
                        g.taps(i, j, (u, v, p, q) -> acc[0] = acc[0].add(
                                w.get(((oo * g.c() + cc) * g.kh() + u) * g.kw() + v).multiply(xv.get(g.index(cc, p, q)))));
                    }
                    out[(o * g.oh() + i) * g.ow() + j] = acc[0];
                }
            }
        }
        return List.of(List.of(out));
    }
}
