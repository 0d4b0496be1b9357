package io.zkml.compiler.ir;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The exact interval analysis of docs/ir-format.md: the bounds of each op's outputs from the
 * tensors it reads, as each op record defines them ({@link IrOp#check}). The compiler
 * ({@link IrGraph}) and {@link IrReader} both use it, so they cannot disagree.
 */
public final class IntervalAnalysis {

    private IntervalAnalysis() {
    }

    /** Lower and upper bounds of a tensor (flat, row-major). */
    public record Bounds(List<BigInteger> lo, List<BigInteger> hi) {
        public Bounds {
            lo = List.copyOf(lo);
            hi = List.copyOf(hi);
        }
    }

    /** The bounds of each output of {@code op}, given the tensors it reads (in {@link IrOp#inputs()} order). */
    public static List<Bounds> outputBounds(IrOp op, List<IrTensor> inputs) throws IrValidationException {
        List<Bounds> out = new ArrayList<>();
        for (OutputSpec s : op.check(inputs, op.op())) {
            out.add(s.bounds());
        }
        return out;
    }

    /**
     * Recomputes every op's output bounds along the graph, from the inputs' declared ranges and the
     * constants (the declared bounds of intermediates and outputs are not used).
     *
     * @return the bounds of every input and op-written tensor by name, in evaluation order
     */
    public static Map<String, Bounds> analyse(CircuitIr ir) throws IrValidationException {
        Map<String, IrTensor> byName = new LinkedHashMap<>();
        for (IrTensor t : ir.tensors()) {
            byName.put(t.name(), t);
        }
        Map<String, Bounds> out = new LinkedHashMap<>();
        Map<String, IrTensor> current = new LinkedHashMap<>();
        for (String name : ir.inputs()) {
            IrTensor t = byName.get(name);
            out.put(name, t.bounds());
            current.put(name, t);
        }
        for (int k = 0; k < ir.ops().size(); k++) {
            IrOp op = ir.ops().get(k);
            List<IrTensor> in = new ArrayList<>();
            for (String n : op.inputs()) {
                IrTensor t = current.containsKey(n) ? current.get(n) : byName.get(n);
                if (t == null) {
                    throw new IrValidationException("ops[" + k + "]: tensor \"" + n + "\" is not available");
                }
                in.add(t);
            }
            List<OutputSpec> specs = op.check(in, "ops[" + k + "]");
            for (int j = 0; j < specs.size(); j++) {
                String name = op.outputs().get(j);
                IrTensor declared = byName.get(name);
                Role role = declared == null ? Role.INTERMEDIATE : declared.role();
                current.put(name, IrTensor.of(name, role, specs.get(j)));
                out.put(name, specs.get(j).bounds());
            }
        }
        return out;
    }

    /** Whether {@code |v| < 2^248}. */
    public static boolean withinFieldLimit(BigInteger v) {
        return v.abs().compareTo(CircuitIr.BOUND_LIMIT) < 0;
    }
}
