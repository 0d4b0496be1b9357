package io.zkml.compiler.ir.ops;

import io.zkml.compiler.ir.Attributes;
import io.zkml.compiler.ir.AttributeWriter;
import io.zkml.compiler.ir.IntervalAnalysis;
import io.zkml.compiler.ir.IrOp;
import io.zkml.compiler.ir.IrTensor;
import io.zkml.compiler.ir.IrValidationException;
import io.zkml.compiler.ir.OutputSpec;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;

/**
 * {@code avgpool2d}: {@code out[c, i, j] = mult[i, j] · Σ x[c, p, q]} over the window's taps
 * inside the image. {@code x} non-constant {@code [C, H, W]}; {@code mult} a positive constant
 * {@code [OH, OW]} (the compiler writes {@code 2^s / count(i, j)}, exact when the count is a power
 * of two); {@code out} {@code [C, OH, OW]} at {@code x.scale + mult.scale}. Attributes
 * {@code kernel}, {@code strides}, {@code pads} ({@link Window2d}). Linear: zero constraints.
 */
public record AvgPool2dOp(String x, String mult, String out, List<Integer> kernel, List<Integer> strides, List<Integer> pads)
        implements IrOp {

    public static final String NAME = "avgpool2d";

    public AvgPool2dOp {
        kernel = List.copyOf(kernel);
        strides = List.copyOf(strides);
        pads = List.copyOf(pads);
    }

    public static IrOp read(String where, List<String> inputs, List<String> outputs, Attributes a) throws IrValidationException {
        OpChecks.count(inputs, 2, where + ".inputs", "x, mult");
        OpChecks.count(outputs, 1, where + ".outputs", "out");
        return new AvgPool2dOp(inputs.get(0), inputs.get(1), outputs.getFirst(), a.ints("kernel"), a.ints("strides"), a.ints("pads"));
    }

    @Override
    public String op() {
        return NAME;
    }

    @Override
    public List<String> inputs() {
        return List.of(x, mult);
    }

    @Override
    public List<String> outputs() {
        return List.of(out);
    }

    @Override
    public void writeAttributes(AttributeWriter w) {
        w.ints("kernel", kernel);
        w.ints("strides", strides);
        w.ints("pads", pads);
    }

    /** The geometry, for an input that {@link #check} accepted. */
    public Window2d window(IrTensor xt) {
        try {
            return Window2d.of(xt, "x", kernel.get(0), kernel.get(1), strides, pads, NAME);
        } catch (IrValidationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public List<OutputSpec> check(List<IrTensor> in, String where) throws IrValidationException {
        IrTensor xt = OpChecks.nonConstant(in, 0, "x", where);
        IrTensor mt = OpChecks.constant(in, 1, "mult", where);
        MaxPool2dOp.checkKernel(kernel, where);
        Window2d g = Window2d.of(xt, OpChecks.at(where, 0, "x", xt), kernel.get(0), kernel.get(1), strides, pads, where);
        String ml = OpChecks.at(where, 1, "mult", mt);
        List<Integer> ms = OpChecks.rank(mt, 2, ml, "[OH, OW]");
        OpChecks.dim(ms.get(0), g.oh(), ml, "shape[0] (OH)");
        OpChecks.dim(ms.get(1), g.ow(), ml, "shape[1] (OW)");
        for (int k = 0; k < mt.values().size(); k++) {
            if (mt.values().get(k).signum() <= 0) {
                throw new IrValidationException(ml + ": value " + k + " is " + mt.values().get(k) + "; it must be positive");
            }
        }
        int scale = OpChecks.scale((long) xt.scale() + mt.scale(), where);
        int size = g.c() * g.oh() * g.ow();
        BigInteger[] lo = new BigInteger[size];
        BigInteger[] hi = new BigInteger[size];
        for (int c = 0; c < g.c(); c++) {
            int cc = c;
            for (int i = 0; i < g.oh(); i++) {
                for (int j = 0; j < g.ow(); j++) {
                    BigInteger[] lh = {BigInteger.ZERO, BigInteger.ZERO};
                    g.taps(i, j, (u, v, p, q) -> {
                        int k = g.index(cc, p, q);
                        lh[0] = lh[0].add(xt.lo().get(k));
                        lh[1] = lh[1].add(xt.hi().get(k));
                    });
                    BigInteger m = mt.values().get(i * g.ow() + j);
                    int k = (c * g.oh() + i) * g.ow() + j;
                    lo[k] = lh[0].multiply(m);
                    hi[k] = lh[1].multiply(m);
                }
            }
        }
        return List.of(new OutputSpec(List.of(g.c(), g.oh(), g.ow()), scale,
                new IntervalAnalysis.Bounds(Arrays.asList(lo), Arrays.asList(hi))));
    }

    @Override
    public List<List<BigInteger>> evaluate(List<List<BigInteger>> in) {
        throw new UnsupportedOperationException("avgpool2d needs its input's shape: evaluate(inputs, tensors)");
    }

    @Override
    public List<List<BigInteger>> evaluate(List<List<BigInteger>> in, List<IrTensor> tensors) {
        Window2d g = window(tensors.getFirst());
        List<BigInteger> xv = in.get(0);
        List<BigInteger> mv = in.get(1);
        BigInteger[] out = new BigInteger[g.c() * g.oh() * g.ow()];
        for (int c = 0; c < g.c(); c++) {
            int cc = c;
            for (int i = 0; i < g.oh(); i++) {
                for (int j = 0; j < g.ow(); j++) {
                    BigInteger[] s = {BigInteger.ZERO};
                    g.taps(i, j, (u, v, p, q) -> s[0] = s[0].add(xv.get(g.index(cc, p, q))));
                    out[(c * g.oh() + i) * g.ow() + j] = s[0].multiply(mv.get(i * g.ow() + j));
                }
            }
        }
        return List.of(List.of(out));
    }
}
