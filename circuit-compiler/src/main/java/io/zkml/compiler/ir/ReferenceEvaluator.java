package io.zkml.compiler.ir;

import io.zkml.compiler.InputValidationException;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a validated IR v1 document with exact {@link BigInteger} semantics, the same as the
 * gnark circuit: {@code dense} is an exact sum, {@code rescale} is a floor shift
 * ({@link BigInteger#shiftRight}, toward −∞), {@code argmax} picks the lowest index on ties.
 * Inputs are checked against the input tensor's {@code [lo, hi]} exactly as the circuit does.
 */
public final class ReferenceEvaluator {

    private ReferenceEvaluator() {
    }

    /** The output tensor values (v1: one output tensor) for this input. */
    public static List<BigInteger> evaluate(CircuitIr ir, List<BigInteger> input) throws InputValidationException {
        Map<String, List<BigInteger>> all = evaluateAll(ir, input);
        List<BigInteger> out = new ArrayList<>();
        for (String name : ir.outputs()) {
            out.addAll(all.get(name));
        }
        return Collections.unmodifiableList(out);
    }

    /** Every tensor's values, by name, in evaluation order (the input first). */
    public static Map<String, List<BigInteger>> evaluateAll(CircuitIr ir, List<BigInteger> input)
            throws InputValidationException {
        IrTensor x = ir.inputTensor();
        checkInput(ir, input);
        Map<String, List<BigInteger>> env = new LinkedHashMap<>();
        env.put(x.name(), List.copyOf(input));
        for (IrOp op : ir.ops()) {
            List<BigInteger> in = env.get(op.in());
            if (in == null) {
                throw new IllegalStateException("op reads tensor \"" + op.in() + "\" before it is written (IR not validated?)");
            }
            env.put(op.out(), apply(op, in));
        }
        return Collections.unmodifiableMap(env);
    }

    /**
     * Checks an input against the input tensor: the count, then {@code lo[i] ≤ x[i] ≤ hi[i]}.
     *
     * @throws InputValidationException {@code WRONG_COUNT} or {@code OUT_OF_RANGE}; the message names
     *                                  the element, its feature and the allowed range
     */
    public static void checkInput(CircuitIr ir, List<BigInteger> input) throws InputValidationException {
        IrTensor x = ir.inputTensor();
        if (input == null || input.size() != x.size()) {
            throw new InputValidationException(InputValidationException.Reason.WRONG_COUNT,
                    "expected " + x.size() + " input values (one per feature), got " + (input == null ? 0 : input.size()));
        }
        for (int i = 0; i < x.size(); i++) {
            BigInteger v = input.get(i);
            if (v == null) {
                throw new InputValidationException(InputValidationException.Reason.WRONG_COUNT,
                        "input value " + i + " is missing");
            }
            if (v.compareTo(x.lo().get(i)) < 0 || v.compareTo(x.hi().get(i)) > 0) {
                String feature = i < ir.features().size() ? " (feature \"" + ir.features().get(i) + "\")" : "";
                throw new InputValidationException(InputValidationException.Reason.OUT_OF_RANGE,
                        "input " + x.name() + "[" + i + "]" + feature + " = " + v + " is out of range: allowed ["
                                + x.lo().get(i) + ", " + x.hi().get(i) + "]");
            }
        }
    }

    /** One op on exact integers. */
    static List<BigInteger> apply(IrOp op, List<BigInteger> in) {
        return switch (op) {
            case DenseOp d -> {
                List<BigInteger> out = new ArrayList<>(d.bias().size());
                for (int j = 0; j < d.bias().size(); j++) {
                    BigInteger acc = d.bias().get(j);
                    List<BigInteger> row = d.weights().get(j);
                    for (int i = 0; i < row.size(); i++) {
                        acc = acc.add(row.get(i).multiply(in.get(i)));
                    }
                    out.add(acc);
                }
                yield List.copyOf(out);
            }
            case RescaleOp r -> in.stream().map(v -> v.shiftRight(r.shift())).toList();
            case ArgmaxOp a -> {
                int best = 0;
                for (int i = 1; i < in.size(); i++) {
                    if (in.get(i).compareTo(in.get(best)) > 0) {
                        best = i;
                    }
                }
                yield List.of(BigInteger.valueOf(best));
            }
        };
    }

    /**
     * The public inputs of the circuit in verifier order: the input values, then the output values,
     * each as a field element ({@code v mod r}, so a negative {@code v} becomes {@code r + v}).
     */
    public static List<BigInteger> publicInputs(List<BigInteger> input, List<BigInteger> output) {
        List<BigInteger> all = new ArrayList<>(input.size() + output.size());
        for (BigInteger v : input) {
            all.add(v.mod(CircuitIr.BN254_R));
        }
        for (BigInteger v : output) {
            all.add(v.mod(CircuitIr.BN254_R));
        }
        return List.copyOf(all);
    }
}
