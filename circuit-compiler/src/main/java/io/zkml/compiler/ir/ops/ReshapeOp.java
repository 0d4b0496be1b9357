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
 * {@code reshape}: {@code out} is {@code x} with the shape {@code shape} (the same values in the
 * same row-major order, the same scale and bounds): ONNX's Flatten / Reshape between a
 * convolution's {@code [C, H, W]} and a dense layer. Zero constraints.
 */
public record ReshapeOp(String x, String out, List<Integer> shape) implements IrOp {

    public static final String NAME = "reshape";

    public ReshapeOp {
        shape = List.copyOf(shape);
    }

    public static IrOp read(String where, List<String> inputs, List<String> outputs, Attributes a) throws IrValidationException {
        OpChecks.count(inputs, 1, where + ".inputs", "x");
        OpChecks.count(outputs, 1, where + ".outputs", "out");
        return new ReshapeOp(inputs.getFirst(), outputs.getFirst(), a.ints("shape"));
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
        w.ints("shape", shape);
    }

    @Override
    public List<OutputSpec> check(List<IrTensor> in, String where) throws IrValidationException {
        IrTensor xt = OpChecks.nonConstant(in, 0, "x", where);
        if (shape.isEmpty() || shape.size() > 8) {
            throw new IrValidationException(where + ".attributes.shape: must have 1 to 8 dimensions, got " + shape);
        }
        long size = 1;
        for (int d : shape) {
            if (d < 1 || d > xt.size()) {
                throw new IrValidationException(where + ".attributes.shape: dimensions must be positive and hold x's "
                        + xt.size() + " elements, got " + shape);
            }
            size *= d;
            if (size > xt.size()) {
                break;
            }
        }
        if (size != xt.size()) {
            throw new IrValidationException(where + ".attributes.shape: " + shape + " does not hold the " + xt.size()
                    + " elements of x \"" + xt.name() + "\"");
        }
        return List.of(new OutputSpec(shape, xt.scale(), new IntervalAnalysis.Bounds(xt.lo(), xt.hi())));
    }

    @Override
    public List<List<BigInteger>> evaluate(List<List<BigInteger>> in) {
        return List.of(in.getFirst());
    }
}
