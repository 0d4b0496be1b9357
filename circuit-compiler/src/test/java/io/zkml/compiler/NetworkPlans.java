package io.zkml.compiler;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;

/** Test access to the calibration's long evaluator ({@code NetworkCompiler.Plan}) of a compiled network. */
public final class NetworkPlans {

    private NetworkPlans() {
    }

    /** The score tensor ({@code scores} or {@code y}) for a quantized input, in long arithmetic. */
    public static List<BigInteger> run(CompiledCircuit c, List<BigInteger> q) {
        NetworkCompiler.Plan plan = NetworkCompiler.Plan.of(c.ir());
        if (plan == null) {
            throw new IllegalStateException("the graph does not fit in longs");
        }
        long[] out = plan.run(q.stream().mapToLong(BigInteger::longValueExact).toArray());
        return Arrays.stream(out).mapToObj(BigInteger::valueOf).toList();
    }
}
