package io.zkml.prover;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A proving system of the native library: compile an IR document to its constraint system, set
 * up keys, prove inferences, verify proofs, export the Solidity verifier. {@link Groth16Prover} and
 * {@link PlonkProver} are the two; {@link #of(ProvingSystem)} picks one.
 *
 * <p>Keys and proofs are bound to a circuit and a system: loading a key with a circuit hash refuses a
 * key of another circuit or system, proving refuses a proving key of another circuit or system, and
 * {@link #verify(VerifyingKey, Proof)} refuses a proof of another circuit or system
 * ({@link ErrorCode#INVALID_ARGUMENT}, naming both).
 *
 * <p>Thread-safe. Every method throws {@link NativeProverException} on error.
 */
public sealed interface Prover permits Groth16Prover, PlonkProver {

    /** The prover of a system (loads the native library once per process). */
    static Prover of(ProvingSystem system) {
        Objects.requireNonNull(system, "system");
        return switch (system) {
            case GROTH16 -> Groth16Prover.load();
            case PLONK -> PlonkProver.load();
        };
    }

    /** This prover's system. */
    ProvingSystem provingSystem();

    /** The versions compiled into the native library. */
    NativeVersions versions();

    /**
     * Parses and validates an IR document and compiles it to this system's constraint system.
     *
     * @throws NativeProverException {@link ErrorCode#INVALID_IR} if the IR is invalid
     */
    ConstraintSystem compile(byte[] irJson);

    /**
     * Loads a constraint system of this system written by {@link ConstraintSystem#writeTo(Path)} for
     * this IR ({@link ErrorCode#INVALID_ARGUMENT} for a file of another system or IR).
     */
    ConstraintSystem loadConstraintSystem(byte[] irJson, Path csFile);

    /**
     * Runs the setup and writes both keys. Groth16: single-party, options ignored. PLONK: the SRS of
     * the options (a checked powers-of-tau file, or a local one if allowed); refused without either.
     */
    SetupResult setup(ConstraintSystem cs, SetupOptions options, Path provingKeyOut, Path verifyingKeyOut);

    /**
     * Loads a proving key of this system made for the circuit with this hash ({@code null}: any).
     *
     * @throws NativeProverException {@link ErrorCode#INVALID_ARGUMENT} for a key of another system or circuit
     */
    ProvingKey loadProvingKey(Path file, String circuitSha256);

    /** Loads a verifying key of this system made for the circuit with this hash ({@code null}: any). */
    VerifyingKey loadVerifyingKey(Path file, String circuitSha256);

    /**
     * Evaluates the circuit on the quantized inputs and proves the result.
     *
     * @param inputs the input values (signed integers, in IR input order)
     * @throws NativeProverException {@link ErrorCode#INVALID_ARGUMENT} for a wrong number of inputs or
     *     a key of another circuit or system, {@link ErrorCode#UNSATISFIED} for an input outside its range
     */
    Proof prove(ConstraintSystem cs, ProvingKey pk, List<BigInteger> inputs);

    /**
     * Evaluates a circuit with hashed inputs and proves the result, with {@code salt} as the private
     * salt of the commitment to the hashed inputs (docs/commitments.md); the proof's public inputs
     * hold the commitment ({@link Proof#commitments()}) instead of the hashed input values.
     *
     * @param salt a field element in {@code [0, r)}
     * @throws NativeProverException {@link ErrorCode#INVALID_ARGUMENT} for a wrong number of inputs, a
     *     salt outside {@code [0, r)} or a circuit without hashed inputs; {@link ErrorCode#UNSATISFIED}
     *     for an input outside its declared range
     */
    Proof prove(ConstraintSystem cs, ProvingKey pk, List<BigInteger> inputs, BigInteger salt);

    /**
     * Evaluates a circuit with hashed inputs and/or hashed outputs (issue 8) and proves the result:
     * {@code salt} is the salt of the commitment to the hashed inputs (null: the circuit has none),
     * {@code outputSalt} that of the commitment to the hashed outputs (null: none). The proof's
     * public inputs hold the commitments ({@link Proof#commitments()}, input commitment first);
     * {@link Proof#outputs()} still has every output value, for the requester.
     *
     * @throws NativeProverException {@link ErrorCode#INVALID_ARGUMENT} for a missing salt, a salt the
     *     circuit takes none of, or one outside {@code [0, r)}
     */
    Proof prove(ConstraintSystem cs, ProvingKey pk, List<BigInteger> inputs, BigInteger salt, BigInteger outputSalt);

    /**
     * Proves a circuit with hashed weights (issue 8): {@code weights} are the values of its hashed
     * constants by tensor name (private witness; null: the circuit has none) and
     * {@code weightsSalt} the salt of their commitment (domain zkml-weights-v1). The weights
     * commitment is among the proof's public inputs ({@link Proof#commitments()}, last).
     *
     * @throws NativeProverException {@link ErrorCode#INVALID_ARGUMENT} for missing or extra weights or
     *     salts; {@link ErrorCode#UNSATISFIED} for a weight outside its declared range
     */
    Proof prove(ConstraintSystem cs, ProvingKey pk, List<BigInteger> inputs, BigInteger salt, BigInteger outputSalt,
                java.util.Map<String, List<BigInteger>> weights, BigInteger weightsSalt);

    /**
     * Verifies proof bytes ({@link Proof#solidityProof()}) against public inputs (field elements in
     * {@code [0, r)}, verifier order).
     *
     * @return whether the proof is valid for these public inputs
     * @throws NativeProverException {@link ErrorCode#MALFORMED_PROOF} for bytes that do not decode or a
     *     public input outside {@code [0, r)}; {@link ErrorCode#INVALID_ARGUMENT} for a wrong count
     */
    boolean verify(VerifyingKey vk, byte[] proof, List<BigInteger> publicInputs);

    /**
     * Verifies a proof made by {@link #prove}: refused ({@link ErrorCode#INVALID_ARGUMENT}) if it names
     * another system or circuit than the key, else as {@link #verify(VerifyingKey, byte[], List)}.
     */
    default boolean verify(VerifyingKey vk, Proof proof) {
        Objects.requireNonNull(proof, "proof");
        Provers.requireSameCircuit(vk, proof);
        return verify(vk, proof.solidityProof(), Provers.fieldElements(proof.publicInputs()));
    }

    /** The Solidity source of gnark's verifier contract for this verifying key. */
    String exportSolidity(VerifyingKey vk);

    /**
     * Reads and checks a powers-of-tau file as a PLONK setup would (every check but the circuit's
     * size, unless {@code minG1Powers} asks for more than 2).
     *
     * @throws NativeProverException {@link ErrorCode#IO} for a malformed file, naming the check;
     *     {@link ErrorCode#INVALID_ARGUMENT} if it has fewer than {@code minG1Powers} powers in G1
     */
    default PtauInfo checkPtau(Path ptauFile, long minG1Powers) {
        Objects.requireNonNull(ptauFile, "ptauFile");
        return Provers.ptauInfo(NativeBridge.ptauInfo(NativeBridge.path(ptauFile), minG1Powers));
    }
}
