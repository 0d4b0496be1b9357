package io.zkml.compiler.ir;

import java.math.BigInteger;
import java.util.List;

/**
 * {@code out[j] = bias[j] + Σ_i weights[j][i] · in[i]}, exact integers;
 * {@code out.scale = in.scale + weightScale}.
 */
public record DenseOp(String in, String out, int weightScale, List<List<BigInteger>> weights, List<BigInteger> bias)
        implements IrOp {
    public DenseOp {
        weights = weights.stream().map(List::copyOf).toList();
        bias = List.copyOf(bias);
    }

    @Override
    public String op() {
        return "dense";
    }
}
