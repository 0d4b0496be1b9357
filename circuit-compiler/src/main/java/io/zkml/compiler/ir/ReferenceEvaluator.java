package io.zkml.compiler.ir;

import io.zkml.compiler.InputValidationException;
import io.zkml.compiler.commit.Commitments;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a validated IR document (version 2, or a lifted version 1) with exact
 * {@link BigInteger} semantics, the same as the gnark circuit: each op's
 * {@link IrOp#evaluate} ({@code dense} an exact sum, {@code rescale} a floor shift toward −∞,
 * {@code argmax} the lowest index on ties, …). Inputs are checked against the input tensors'
 * {@code [lo, hi]} exactly as the circuit does.
 *
 * <p>Input and output values are flat: every input tensor's elements (row-major) in
 * {@code inputs} order, all concatenated; likewise the outputs.
 */
public final class ReferenceEvaluator {

    private ReferenceEvaluator() {
    }

    /** The output values (every output tensor, flat, in {@code outputs} order) for this input. */
    public static List<BigInteger> evaluate(CircuitIr ir, List<BigInteger> input) throws InputValidationException {
        return evaluate(ir, input, null);
    }

    /** As {@link #evaluate(CircuitIr, List)} with the private weights of the hashed constants (by tensor name). */
    public static List<BigInteger> evaluate(CircuitIr ir, List<BigInteger> input, Map<String, List<BigInteger>> weights)
            throws InputValidationException {
        Map<String, List<BigInteger>> all = evaluateAll(ir, input, weights);
        List<BigInteger> out = new ArrayList<>();
        for (String name : ir.outputs()) {
            out.addAll(all.get(name));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The values of every input and every op-written tensor, by name, in evaluation order (the
     * inputs first); constants are not included.
     */
    public static Map<String, List<BigInteger>> evaluateAll(CircuitIr ir, List<BigInteger> input)
            throws InputValidationException {
        return evaluateAll(ir, input, null);
    }

    /**
     * As {@link #evaluateAll(CircuitIr, List)} with the values of the hashed constants (issue 8:
     * private weights, by tensor name; null for a document without them), each checked against
     * its declared range as the circuit does.
     */
    public static Map<String, List<BigInteger>> evaluateAll(CircuitIr ir, List<BigInteger> input,
                                                            Map<String, List<BigInteger>> weights)
            throws InputValidationException {
        checkInput(ir, input);
        checkWeights(ir, weights);
        Map<String, List<BigInteger>> env = new LinkedHashMap<>();
        int offset = 0;
        for (IrTensor x : ir.inputTensors()) {
            env.put(x.name(), List.copyOf(input.subList(offset, offset + x.size())));
            offset += x.size();
        }
        Map<String, List<BigInteger>> constants = new LinkedHashMap<>();
        for (IrTensor t : ir.tensors()) {
            if (t.isHashedConstant()) {
                constants.put(t.name(), List.copyOf(weights.get(t.name())));
            } else if (t.isConstant()) {
                constants.put(t.name(), t.values());
            }
        }
        Map<String, IrTensor> byName = new java.util.HashMap<>();
        for (IrTensor t : ir.tensors()) {
            byName.put(t.name(), t);
        }
        for (IrOp op : ir.ops()) {
            List<List<BigInteger>> in = new ArrayList<>(op.inputs().size());
            for (String n : op.inputs()) {
                List<BigInteger> v = env.containsKey(n) ? env.get(n) : constants.get(n);
                if (v == null) {
                    throw new IllegalStateException(op.op() + " reads tensor \"" + n + "\" before it is written (IR not validated?)");
                }
                in.add(v);
            }
            List<IrTensor> ts = new ArrayList<>(op.inputs().size());
            for (String n : op.inputs()) {
                ts.add(byName.get(n));
            }
            List<List<BigInteger>> out = op.evaluate(in, ts);
            for (int j = 0; j < out.size(); j++) {
                env.put(op.outputs().get(j), List.copyOf(out.get(j)));
            }
        }
        return Collections.unmodifiableMap(env);
    }

    /**
     * Checks the private weights against the hashed constants (issue 8): every hashed constant
     * present with its element count, nothing else, each value within its declared {@code [lo, hi]}.
     *
     * @throws IllegalArgumentException the weights do not fit the document (the message names the tensor and element)
     */
    public static void checkWeights(CircuitIr ir, Map<String, List<BigInteger>> weights) {
        List<IrTensor> hashed = ir.hashedConstants();
        if (hashed.isEmpty()) {
            if (weights != null && !weights.isEmpty()) {
                throw new IllegalArgumentException("the circuit has no hashed weights, so it takes no weights");
            }
            return;
        }
        if (weights == null) {
            throw new IllegalArgumentException("the circuit has hashed weights " + hashed.stream().map(IrTensor::name).toList()
                    + ": their values are needed");
        }
        for (String n : weights.keySet()) {
            if (hashed.stream().noneMatch(t -> t.name().equals(n))) {
                throw new IllegalArgumentException("weights: \"" + n + "\" is not a hashed constant of the circuit");
            }
        }
        for (IrTensor t : hashed) {
            List<BigInteger> v = weights.get(t.name());
            if (v == null || v.size() != t.size()) {
                throw new IllegalArgumentException("weights: \"" + t.name() + "\" needs " + t.size() + " values, got "
                        + (v == null ? "none" : v.size()));
            }
            for (int i = 0; i < v.size(); i++) {
                if (v.get(i) == null || v.get(i).compareTo(t.lo().get(i)) < 0 || v.get(i).compareTo(t.hi().get(i)) > 0) {
                    throw new IllegalArgumentException("weight " + t.name() + "[" + i + "] = " + v.get(i)
                            + " is out of its declared range [" + t.lo().get(i) + ", " + t.hi().get(i) + "]");
                }
            }
        }
    }

    /**
     * Checks an input against the input tensors: the count, then {@code lo[i] ≤ x[i] ≤ hi[i]}.
     *
     * @throws InputValidationException {@code WRONG_COUNT} or {@code OUT_OF_RANGE}; the message names
     *                                  the element, its feature and the allowed range
     */
    public static void checkInput(CircuitIr ir, List<BigInteger> input) throws InputValidationException {
        int size = ir.inputSize();
        if (input == null || input.size() != size) {
            throw new InputValidationException(InputValidationException.Reason.WRONG_COUNT,
                    "expected " + size + " input values (one per feature), got " + (input == null ? 0 : input.size()));
        }
        int flat = 0;
        for (IrTensor x : ir.inputTensors()) {
            for (int i = 0; i < x.size(); i++, flat++) {
                BigInteger v = input.get(flat);
                if (v == null) {
                    throw new InputValidationException(InputValidationException.Reason.WRONG_COUNT,
                            "input value " + flat + " is missing");
                }
                if (v.compareTo(x.lo().get(i)) < 0 || v.compareTo(x.hi().get(i)) > 0) {
                    String feature = flat < ir.features().size() ? " (feature \"" + ir.features().get(flat) + "\")" : "";
                    throw new InputValidationException(InputValidationException.Reason.OUT_OF_RANGE,
                            "input " + x.name() + "[" + i + "]" + feature + " = " + v + " is out of range: allowed ["
                                    + x.lo().get(i) + ", " + x.hi().get(i) + "]");
                }
            }
        }
    }

    /**
     * The commitment of each of the document's commitments (docs/commitments.md, recipe v1) to the
     * given input values (all inputs, input order; checked by {@link #checkInput}) under one salt
     * per commitment (each in [0, r)); empty for a document without hashed inputs.
     */
    public static List<BigInteger> commitments(CircuitIr ir, List<BigInteger> input, List<BigInteger> salts) {
        List<BigInteger> output = null;
        if (ir.hasHashedOutputs()) {
            try {
                output = evaluate(ir, input);
            } catch (InputValidationException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        return commitments(ir, input, output, salts);
    }

    /**
     * As {@link #commitments(CircuitIr, List, List)} with the output values given (all outputs,
     * output order; the evaluation of {@code input}): a commitment to hashed outputs
     * (domain {@value CircuitIr.Commitment#OUTPUTS_DOMAIN}) binds those.
     */
    public static List<BigInteger> commitments(CircuitIr ir, List<BigInteger> input, List<BigInteger> output,
                                               List<BigInteger> salts) {
        return commitments(ir, input, output, null, salts);
    }

    /**
     * As {@link #commitments(CircuitIr, List, List, List)} with the private weights (by hashed
     * constant): a commitment of domain {@value CircuitIr.Commitment#WEIGHTS_DOMAIN} binds those.
     */
    public static List<BigInteger> commitments(CircuitIr ir, List<BigInteger> input, List<BigInteger> output,
                                               Map<String, List<BigInteger>> weights, List<BigInteger> salts) {
        if (salts.size() != ir.commitments().size()) {
            throw new IllegalArgumentException(ir.commitments().size() + " commitments but " + salts.size() + " salts");
        }
        Map<String, List<BigInteger>> byName = new HashMap<>();
        int k = 0;
        for (IrTensor t : ir.inputTensors()) {
            if (input != null && k + t.size() <= input.size()) {
                byName.put(t.name(), input.subList(k, k + t.size()));
            }
            k += t.size();
        }
        k = 0;
        if (output != null) {
            for (IrTensor t : ir.outputTensors()) {
                byName.put(t.name(), output.subList(k, k + t.size()));
                k += t.size();
            }
        }
        if (weights != null) {
            byName.putAll(weights);
        }
        List<BigInteger> out = new ArrayList<>();
        for (int i = 0; i < salts.size(); i++) {
            CircuitIr.Commitment c = ir.commitments().get(i);
            List<BigInteger> values = new ArrayList<>(), lo = new ArrayList<>(), hi = new ArrayList<>();
            for (String n : c.tensors()) {
                IrTensor t = ir.requireTensor(n);
                values.addAll(byName.get(n));
                lo.addAll(t.lo());
                hi.addAll(t.hi());
            }
            out.add(Commitments.commit(c.domain(), Commitments.Layout.fromBounds(lo, hi), values, salts.get(i)));
        }
        return List.copyOf(out);
    }

    /**
     * The public inputs of the circuit in verifier order, by visibility: the values of the public
     * inputs, then the commitments (see {@link #commitments}), then the public output values, each as a
     * field element. For a document whose inputs are all public this is {@link #publicInputs(List, List)}.
     */
    public static List<BigInteger> publicInputs(CircuitIr ir, List<BigInteger> input, List<BigInteger> output,
                                                List<BigInteger> salts) {
        return publicInputs(ir, input, output, null, salts);
    }

    /** As {@link #publicInputs(CircuitIr, List, List, List)} with the private weights (by hashed constant). */
    public static List<BigInteger> publicInputs(CircuitIr ir, List<BigInteger> input, List<BigInteger> output,
                                                Map<String, List<BigInteger>> weights, List<BigInteger> salts) {
        List<BigInteger> all = new ArrayList<>();
        int k = 0;
        for (IrTensor t : ir.inputTensors()) {
            if (t.visibility() == Visibility.PUBLIC) {
                for (BigInteger v : input.subList(k, k + t.size())) {
                    all.add(v.mod(CircuitIr.BN254_R));
                }
            }
            k += t.size();
        }
        all.addAll(commitments(ir, input, output, weights, salts));
        k = 0;
        for (IrTensor t : ir.outputTensors()) {
            if (t.visibility() == Visibility.PUBLIC) {
                for (BigInteger v : output.subList(k, k + t.size())) {
                    all.add(v.mod(CircuitIr.BN254_R));
                }
            }
            k += t.size();
        }
        return List.copyOf(all);
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
