package io.zkml.compiler.ir;

import tools.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a v2 graph from code: declare inputs and constants, then add ops; each op's output tensor
 * gets the shape, scale and exact bounds that the op computes ({@link IrOp#check}), so the result
 * passes {@link IrReader#validate}. Tensors are listed in the order they are added.
 *
 * <pre>{@code
 * IrGraph g = new IrGraph();
 * IrTensor x = g.input("x", List.of(n), 8, lo, hi);
 * g.constant("weight", List.of(m, n), 4, w);
 * g.constant("bias", List.of(m), 12, b);
 * IrTensor acc = g.intermediate(new DenseOp("x", "weight", "bias", "acc"));
 * IrTensor y = g.output(new RescaleOp("acc", "y", 4));
 * CircuitIr ir = g.build("name", "regression", producer, null, null, features, labels);
 * }</pre>
 */
public final class IrGraph {

    private final Map<String, IrTensor> tensors = new LinkedHashMap<>();
    private final List<String> inputs = new ArrayList<>();
    private final List<IrOp> ops = new ArrayList<>();
    private final List<String> outputs = new ArrayList<>();

    /** Declares an input (public; listed in {@code inputs} in call order). */
    public IrTensor input(String name, List<Integer> shape, int scale, List<BigInteger> lo, List<BigInteger> hi) {
        return input(name, Visibility.PUBLIC, shape, scale, lo, hi);
    }

    /**
     * Declares an input of the given visibility. {@link #build} describes the commitment to the hashed
     * inputs ({@value #INPUT_COMMITMENT}, over every hashed input in input order).
     */
    public IrTensor input(String name, Visibility visibility, List<Integer> shape, int scale, List<BigInteger> lo,
                          List<BigInteger> hi) {
        IrTensor t = IrTensor.input(name, visibility, shape, scale, lo, hi);
        put(t);
        inputs.add(name);
        return t;
    }

    /** The name {@link #build} gives the commitment to the hashed inputs. */
    public static final String INPUT_COMMITMENT = "input_commitment";
    /** The name of the commitment to the hashed outputs (issue 8). */
    public static final String OUTPUT_COMMITMENT = "output_commitment";

    /** Declares a constant. */
    public IrTensor constant(String name, List<Integer> shape, int scale, List<BigInteger> values) {
        IrTensor t = IrTensor.constant(name, shape, scale, values);
        put(t);
        return t;
    }

    /** Adds a one-output op whose output is an intermediate; returns that tensor. */
    public IrTensor intermediate(IrOp op) throws IrValidationException {
        return add(op, Role.INTERMEDIATE).getFirst();
    }

    /** Adds a one-output op whose output is a circuit output (listed in {@code outputs} in call order). */
    public IrTensor output(IrOp op) throws IrValidationException {
        return add(op, Role.OUTPUT).getFirst();
    }

    /**
     * Adds an op; every output gets {@code role} and the op-computed shape, scale and bounds.
     *
     * @throws IrValidationException the op rejects what it reads or its attributes, or reads a tensor not declared yet
     */
    public List<IrTensor> add(IrOp op, Role role) throws IrValidationException {
        if (role != Role.INTERMEDIATE && role != Role.OUTPUT) {
            throw new IllegalArgumentException("an op writes intermediates or outputs, not " + role.irName());
        }
        String where = "ops[" + ops.size() + "] (" + op.op() + ")";
        List<IrTensor> in = new ArrayList<>();
        for (String n : op.inputs()) {
            IrTensor t = tensors.get(n);
            if (t == null) {
                throw new IrValidationException(where + ": reads \"" + n + "\", which is not declared yet");
            }
            in.add(t);
        }
        List<OutputSpec> specs = op.check(in, where);
        List<IrTensor> out = new ArrayList<>();
        for (int j = 0; j < specs.size(); j++) {
            IrTensor t = IrTensor.of(op.outputs().get(j), role, specs.get(j));
            put(t);
            if (role == Role.OUTPUT) {
                outputs.add(t.name());
            }
            out.add(t);
        }
        ops.add(op);
        return out;
    }

    private void put(IrTensor t) {
        if (tensors.putIfAbsent(t.name(), t) != null) {
            throw new IllegalArgumentException("tensor \"" + t.name() + "\" is declared twice");
        }
    }

    public IrTensor tensor(String name) {
        IrTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor \"" + name + "\"");
        }
        return t;
    }

    public List<IrTensor> tensors() {
        return List.copyOf(tensors.values());
    }

    public List<String> inputs() {
        return List.copyOf(inputs);
    }

    public List<IrOp> ops() {
        return List.copyOf(ops);
    }

    public List<String> outputs() {
        return List.copyOf(outputs);
    }

    /** A version 2 document of this graph with the given metadata (not validated: {@link IrReader#validate} does). */
    public CircuitIr build(String name, String task, CircuitIr.Producer producer, CircuitIr.Source source,
                           ObjectNode quantization, List<String> features, List<String> labels) {
        List<String> hashed = inputs.stream().filter(n -> tensors.get(n).visibility() == Visibility.HASHED).toList();
        List<String> hashedOut = outputs.stream().filter(n -> tensors.get(n).visibility() == Visibility.HASHED).toList();
        List<CircuitIr.Commitment> commitments = new java.util.ArrayList<>();
        if (!hashed.isEmpty()) {
            commitments.add(new CircuitIr.Commitment(INPUT_COMMITMENT, CircuitIr.Commitment.INPUTS_DOMAIN, hashed));
        }
        if (!hashedOut.isEmpty()) {
            commitments.add(new CircuitIr.Commitment(OUTPUT_COMMITMENT, CircuitIr.Commitment.OUTPUTS_DOMAIN, hashedOut));
        }
        return new CircuitIr(CircuitIr.FORMAT, CircuitIr.VERSION, CircuitIr.FIELD, name, task, producer, source,
                quantization, features, labels, tensors(), inputs(), ops(), outputs(), commitments);
    }
}
