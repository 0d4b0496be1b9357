package io.zkml.compiler.ir.ops;

import io.zkml.compiler.ir.Attributes;
import io.zkml.compiler.ir.AttributeWriter;
import io.zkml.compiler.ir.IntervalAnalysis;
import io.zkml.compiler.ir.IrOp;
import io.zkml.compiler.ir.IrTensor;
import io.zkml.compiler.ir.IrValidationException;
import io.zkml.compiler.ir.OutputSpec;

import java.math.BigInteger;
import java.util.List;

/**
 * {@code rescale}: {@code out[i] = floor(x[i] / 2^shift)} (toward −∞, {@link BigInteger#shiftRight});
 * {@code x} non-constant, any shape; {@code out} the same shape at {@code x.scale − shift}.
 * Attribute {@code shift} in {@code [0, 128]}.
 */
public record RescaleOp(String x, String out, int shift) implements IrOp {

    public static final String NAME = "rescale";
    /** Largest shift. */
    public static final int MAX_SHIFT = 128;

    public static IrOp read(String where, List<String> inputs, List<String> outputs, Attributes a) throws IrValidationException {
        OpChecks.count(inputs, 1, where + ".inputs", "x");
        OpChecks.count(outputs, 1, where + ".outputs", "out");
        return new RescaleOp(inputs.getFirst(), outputs.getFirst(), a.integer("shift"));
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
        w.integer("shift", shift);
    }

    @Override
    public List<OutputSpec> check(List<IrTensor> in, String where) throws IrValidationException {
        IrTensor xt = OpChecks.nonConstant(in, 0, "x", where);
        if (shift < 0 || shift > MAX_SHIFT) {
            throw new IrValidationException(where + ".attributes.shift: must be in [0, " + MAX_SHIFT + "], got " + shift);
        }
        int scale = OpChecks.scale((long) xt.scale() - shift, where);
        return List.of(new OutputSpec(xt.shape(), scale, new IntervalAnalysis.Bounds(
                xt.lo().stream().map(v -> v.shiftRight(shift)).toList(),
                xt.hi().stream().map(v -> v.shiftRight(shift)).toList())));
    }

    @Override
    public List<List<BigInteger>> evaluate(List<List<BigInteger>> in) {
        return List.of(in.getFirst().stream().map(v -> v.shiftRight(shift)).toList());
    }
}
