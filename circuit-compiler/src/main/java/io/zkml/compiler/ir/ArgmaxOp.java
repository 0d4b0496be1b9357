package io.zkml.compiler.ir;

/** {@code out[0]} = the smallest index {@code k} with {@code in[k] = max(in)}. */
public record ArgmaxOp(String in, String out) implements IrOp {
    @Override
    public String op() {
        return "argmax";
    }
}
