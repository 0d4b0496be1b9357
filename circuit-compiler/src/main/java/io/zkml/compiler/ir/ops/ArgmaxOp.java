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
 * {@code argmax}: {@code out[0]} = the smallest index {@code k} with {@code x[k] = max(x)};
 * {@code x} non-constant {@code [n]}, {@code out} {@code [1]} at scale 0, bounds {@code [0, n − 1]}.
 */
public record ArgmaxOp(String x, String out) implements IrOp {

    public static final String NAME = "argmax";

    public static IrOp read(String where, List<String> inputs, List<String> outputs, Attributes a) throws IrValidationException {
        OpChecks.count(inputs, 1, where + ".inputs", "x");
        OpChecks.count(outputs, 1, where + ".outputs", "out");
        return new ArgmaxOp(inputs.getFirst(), outputs.getFirst());
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
        int n = OpChecks.rank(xt, 1, OpChecks.at(where, 0, "x", xt), "[n]").getFirst();
        return List.of(new OutputSpec(List.of(1), 0,
                new IntervalAnalysis.Bounds(List.of(BigInteger.ZERO), List.of(BigInteger.valueOf(n - 1L)))));
    }

    @Override
    public List<List<BigInteger>> evaluate(List<List<BigInteger>> in) {
        List<BigInteger> v = in.getFirst();
        int best = 0;
        for (int i = 1; i < v.size(); i++) {
            if (v.get(i).compareTo(v.get(best)) > 0) {
                best = i;
            }
        }
        return List.of(List.of(BigInteger.valueOf(best)));
    }
}
