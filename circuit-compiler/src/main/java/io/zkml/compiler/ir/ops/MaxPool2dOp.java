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
 * {@code maxpool2d}: {@code out[c, i, j] = max x[c, p, q]} over the window's taps inside the image
 * (padding is never the maximum, as in ONNX). {@code x} non-constant {@code [C, H, W]};
 * {@code out} {@code [C, OH, OW]} at x's scale, bounds the window's largest {@code lo} and
 * largest {@code hi}. Attributes {@code kernel}, {@code strides}, {@code pads} ({@link Window2d}).
 */
public record MaxPool2dOp(String x, String out, List<Integer> kernel, List<Integer> strides, List<Integer> pads) implements IrOp {

    public static final String NAME = "maxpool2d";

    public MaxPool2dOp {
        kernel = List.copyOf(kernel);
        strides = List.copyOf(strides);
        pads = List.copyOf(pads);
    }

    public static IrOp read(String where, List<String> inputs, List<String> outputs, Attributes a) throws IrValidationException {
        OpChecks.count(inputs, 1, where + ".inputs", "x");
        OpChecks.count(outputs, 1, where + ".outputs", "out");
        return new MaxPool2dOp(inputs.getFirst(), outputs.getFirst(), a.ints("kernel"), a.ints("strides"), a.ints("pads"));
    }

    @Override
    public String op() {
        return NAME;
    }

    @Override
    public List<String> inputs() {
        return List.of(x);
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

    static void checkKernel(List<Integer> kernel, String where) throws IrValidationException {
        if (kernel.size() != 2 || kernel.get(0) < 1 || kernel.get(1) < 1) {
            throw new IrValidationException(where + ".attributes.kernel: must be 2 positive integers, got " + kernel);
        }
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
        checkKernel(kernel, where);
        Window2d g = Window2d.of(xt, OpChecks.at(where, 0, "x", xt), kernel.get(0), kernel.get(1), strides, pads, where);
        int size = g.c() * g.oh() * g.ow();
        BigInteger[] lo = new BigInteger[size];
        BigInteger[] hi = new BigInteger[size];
        for (int c = 0; c < g.c(); c++) {
            int cc = c;
            for (int i = 0; i < g.oh(); i++) {
                for (int j = 0; j < g.ow(); j++) {
                    BigInteger[] lh = {null, null};
                    g.taps(i, j, (u, v, p, q) -> {
                        int k = g.index(cc, p, q);
                        lh[0] = lh[0] == null ? xt.lo().get(k) : lh[0].max(xt.lo().get(k));
                        lh[1] = lh[1] == null ? xt.hi().get(k) : lh[1].max(xt.hi().get(k));
                    });
                    int k = (c * g.oh() + i) * g.ow() + j;
                    lo[k] = lh[0];
                    hi[k] = lh[1];
                }
            }
        }
        return List.of(new OutputSpec(List.of(g.c(), g.oh(), g.ow()), xt.scale(),
                new IntervalAnalysis.Bounds(Arrays.asList(lo), Arrays.asList(hi))));
    }

    @Override
    public List<List<BigInteger>> evaluate(List<List<BigInteger>> in) {
        throw new UnsupportedOperationException("maxpool2d needs its input's shape: evaluate(inputs, tensors)");
    }

    @Override
    public List<List<BigInteger>> evaluate(List<List<BigInteger>> in, List<IrTensor> tensors) {
        Window2d g = window(tensors.getFirst());
        List<BigInteger> xv = in.getFirst();
        BigInteger[] out = new BigInteger[g.c() * g.oh() * g.ow()];
        for (int c = 0; c < g.c(); c++) {
            int cc = c;
            for (int i = 0; i < g.oh(); i++) {
                for (int j = 0; j < g.ow(); j++) {
                    BigInteger[] m = {null};
                    g.taps(i, j, (u, v, p, q) -> {
                        BigInteger e = xv.get(g.index(cc, p, q));
                        m[0] = m[0] == null ? e : m[0].max(e);
                    });
                    out[(c * g.oh() + i) * g.ow() + j] = m[0];
                }
            }
        }
        return List.of(List.of(out));
    }
}
