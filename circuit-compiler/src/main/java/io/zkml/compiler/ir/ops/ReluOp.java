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
 * {@code relu}: {@code out[i] = max(x[i], 0)}; {@code x} non-constant, any shape; {@code out} the
 * same shape and scale, bounds {@code [max(lo, 0), max(hi, 0)]}. No attributes.
 */
public record ReluOp(String x, String out) implements IrOp {

    public static final String NAME = "relu";

    public static IrOp read(String where, List<String> inputs, List<String> outputs, Attributes a) throws IrValidationException {
        OpChecks.count(inputs, 1, where + ".inputs", "x");
        OpChecks.count(outputs, 1, where + ".outputs", "out");
        return new ReluOp(inputs.getFirst(), outputs.getFirst());
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
    }

    @Override
    public List<OutputSpec> check(List<IrTensor> in, String where) throws IrValidationException {
        IrTensor xt = OpChecks.nonConstant(in, 0, "x", where);
        return List.of(new OutputSpec(xt.shape(), xt.scale(), new IntervalAnalysis.Bounds(
                xt.lo().stream().map(ReluOp::relu).toList(), xt.hi().stream().map(ReluOp::relu).toList())));
    }

    @Override
    public List<List<BigInteger>> evaluate(List<List<BigInteger>> in) {
        return List.of(in.getFirst().stream().map(ReluOp::relu).toList());
    }

    static BigInteger relu(BigInteger v) {
        return v.signum() < 0 ? BigInteger.ZERO : v;
    }
}
