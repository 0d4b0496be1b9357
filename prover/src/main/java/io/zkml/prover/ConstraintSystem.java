package io.zkml.prover;

import java.lang.ref.Reference;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A compiled circuit: the constraint system of one IR document (BN254) for one proving system (an
 * R1CS for Groth16, a sparse R1CS for PLONK), together with that IR (the native side needs it to
 * compute witnesses). Thread-safe: many proofs may use it at once.
 */
public final class ConstraintSystem extends AbstractNativeHandle {

    private final int constraints;
    private final int publicInputs;
    private final int inputSize;
    private final int outputSize;
    private final String circuitSha256;
    private final Map<String, Integer> constraintsByOp;
    private final ProvingSystem provingSystem;

    ConstraintSystem(long handle, int constraints, int publicInputs, int inputSize, int outputSize,
                     String circuitSha256, Map<String, Integer> constraintsByOp, ProvingSystem provingSystem) {
        super(handle, "constraint system");
        this.provingSystem = provingSystem;
        this.constraints = constraints;
        this.publicInputs = publicInputs;
        this.inputSize = inputSize;
        this.outputSize = outputSize;
        this.circuitSha256 = circuitSha256;
        this.constraintsByOp = Collections.unmodifiableMap(new LinkedHashMap<>(constraintsByOp));
    }

    /** The proving system this constraint system was built for. */
    public ProvingSystem provingSystem() {
        return provingSystem;
    }

    /** Number of constraints, as gnark reports it (R1CS constraints, or PLONK gates). */
    public int constraints() {
        return constraints;
    }

    /** Number of public inputs of the verifier: {@link #inputSize()} + {@link #outputSize()}. */
    public int publicInputs() {
        return publicInputs;
    }

    /** Number of input values the circuit takes (elements of the IR's input tensors). */
    public int inputSize() {
        return inputSize;
    }

    /** Number of output values the circuit produces (elements of the IR's output tensors). */
    public int outputSize() {
        return outputSize;
    }

    /** Lowercase hex SHA-256 of the IR bytes this circuit was compiled from (the circuit hash). */
    public String circuitSha256() {
        return circuitSha256;
    }

    /**
     * The constraints each kind added, in constraint order: {@code "input_range"} (the input range
     * checks), then op names ({@code "dense"}, {@code "rescale"}, {@code "argmax"},
     * {@code "split_bits"}, {@code "tree"}, {@code "weighted_sum"}) in the order each first
     * appears, then {@code "output"} (the output equalities). Only kinds the circuit has; the
     * values sum to {@link #constraints()}. Unmodifiable, in that order.
     */
    public Map<String, Integer> constraintsByOp() {
        return constraintsByOp;
    }

    /**
     * Writes the constraint system to a file (a versioned header, then gnark's binary R1CS or
     * sparse R1CS). Reload it with {@link Prover#loadConstraintSystem(byte[], Path)} of its system.
     */
    public void writeTo(Path file) {
        Objects.requireNonNull(file, "file");
        try {
            NativeBridge.writeConstraintSystem(handle(), NativeBridge.path(file));
        } finally {
            Reference.reachabilityFence(this);
        }
    }
}
