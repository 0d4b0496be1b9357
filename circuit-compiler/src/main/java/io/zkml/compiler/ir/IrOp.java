package io.zkml.compiler.ir;

import java.math.BigInteger;
import java.util.List;

/**
 * An IR v2 operation: reads the tensors {@link #inputs()} (positional), writes {@link #outputs()}.
 * Each op is one record in {@code io.zkml.compiler.ir.ops} holding its reading (a static
 * {@code read}), attribute writing, checks, bounds and evaluation; the reader, writer, interval
 * analysis and evaluator only call these methods.
 *
 * <p>Not {@code sealed}: this module has no module-info, and in the unnamed module a sealed
 * interface can only permit classes of its own package. Instead {@link IrOps} lists each op name
 * with its record class, and {@link IrReader#validate} rejects an op whose class is not the one
 * registered for its name, so only the registered records ever reach the writer or the prover.
 */
public interface IrOp {

    /** The op name as written in the IR ({@code "dense"}, …). */
    String op();

    /** Names of the tensors read, in position order. */
    List<String> inputs();

    /** Names of the tensors written, in position order. */
    List<String> outputs();

    /** Writes the attributes in the canonical order (the order of the op's table). */
    void writeAttributes(AttributeWriter w);

    /**
     * Checks the roles, shapes and scales of the tensors read (in {@link #inputs()} order) and the
     * attributes, and returns what each output must be: shape, scale and interval-analysis bounds.
     *
     * @param where the op's location for messages, e.g. {@code "ops[1]"}
     */
    List<OutputSpec> check(List<IrTensor> inputs, String where) throws IrValidationException;

    /**
     * Exact evaluation: the values of each output from the values of each input (flat, row-major),
     * for inputs that {@link #check} accepted and that lie within their bounds.
     */
    List<List<BigInteger>> evaluate(List<List<BigInteger>> inputs);

    /**
     * {@link #evaluate(List)} with the tensors read (in {@link #inputs()} order) at hand, for ops
     * whose semantics depend on their inputs' shapes ({@code conv2d}, the pools). The reference
     * evaluator calls this one.
     */
    default List<List<BigInteger>> evaluate(List<List<BigInteger>> inputs, List<IrTensor> tensors) {
        return evaluate(inputs);
    }
}
