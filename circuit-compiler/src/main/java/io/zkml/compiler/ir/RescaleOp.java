package io.zkml.compiler.ir;

/** {@code out[i] = floor(in[i] / 2^shift)} (toward −∞); {@code out.scale = in.scale − shift}. */
public record RescaleOp(String in, String out, int shift) implements IrOp {
    /** Largest shift IR v1 allows. */
    public static final int MAX_SHIFT = 128;

    @Override
    public String op() {
        return "rescale";
    }
}
