package io.zkml.prover;

import java.lang.ref.Reference;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import tools.jackson.databind.JsonNode;

/**
 * Groth16 over BN254 through the native gnark library: compile an IR document to R1CS, set up
 * keys, prove inferences, verify proofs, export the Solidity verifier.
 *
 * <p>Thread-safe; one instance per process is enough ({@link #load()} returns the same one).
 * Calls on different handles, and proofs with the same constraint system and proving key, may run
 * in parallel. Every method throws {@link NativeProverException} on error; the message says what
 * went wrong and the {@link ErrorCode} says what kind of error it is.
 *
 * <p>Handles ({@link ConstraintSystem}, {@link ProvingKey}, {@link VerifyingKey}) own native memory:
 * close them when done (try-with-resources). A proving key of a real model can be large.
 */
public final class Groth16Prover implements Prover {

    private static volatile Groth16Prover instance;

    private final NativeVersions versions;

    private Groth16Prover(NativeVersions versions) {
        this.versions = versions;
    }

    /**
     * Loads the native library (once per process) and returns the prover.
     *
     * @throws NativeProverException {@link ErrorCode#VERSION_MISMATCH} if the library's ABI differs
     * @throws UnsatisfiedLinkError if the library cannot be found or loaded
     */
    public static Groth16Prover load() {
        Groth16Prover p = instance;
        if (p == null) {
            synchronized (Groth16Prover.class) {
                if (instance == null) {
                    instance = new Groth16Prover(NativeLibrary.load());
                }
                p = instance;
            }
        }
        return p;
    }

    @Override
    public ProvingSystem provingSystem() {
        return ProvingSystem.GROTH16;
    }

    /** The versions compiled into the native library. */
    @Override
    public NativeVersions versions() {
        return versions;
    }

    /**
     * Parses and validates an IR v1 document and compiles it to an R1CS over BN254.
     *
     * @throws NativeProverException {@link ErrorCode#INVALID_IR} if the IR is invalid
     */
    @Override
    public ConstraintSystem compile(byte[] irJson) {
        Objects.requireNonNull(irJson, "irJson");
        return Provers.constraintSystem(NativeBridge.compile(irJson));
    }

    /**
     * Loads a constraint system written by {@link ConstraintSystem#writeTo(Path)}, together with the
     * IR it was compiled from (the native side needs the IR to compute witnesses).
     *
     * @throws NativeProverException {@link ErrorCode#VERSION_MISMATCH} if the file was written by
     *     another gnark or ABI version, {@link ErrorCode#INVALID_ARGUMENT} if it belongs to another
     *     IR, {@link ErrorCode#IO} if it cannot be read
     */
    @Override
    public ConstraintSystem loadConstraintSystem(byte[] irJson, Path csFile) {
        Objects.requireNonNull(irJson, "irJson");
        Objects.requireNonNull(csFile, "csFile");
        return Provers.constraintSystem(NativeBridge.loadConstraintSystem(irJson, NativeBridge.path(csFile)));
    }

    /**
     * Runs a Groth16 setup for the circuit and writes the proving and verifying keys. The toxic
     * waste is drawn from the OS random source inside this process and discarded: a single-party
     * setup, fine for a service that trusts itself, not a ceremony.
     */
    public SetupResult setup(ConstraintSystem cs, Path provingKeyOut, Path verifyingKeyOut) {
        Objects.requireNonNull(provingKeyOut, "provingKeyOut");
        Objects.requireNonNull(verifyingKeyOut, "verifyingKeyOut");
        try {
            JsonNode n = Provers.parse(NativeBridge.setup(cs.handle(), NativeBridge.path(provingKeyOut),
                    NativeBridge.path(verifyingKeyOut)));
            return new SetupResult(n.get("setupMillis").asLong(), n.get("verifyingKeySha256").asString());
        } finally {
            Reference.reachabilityFence(cs);
        }
    }

    /** Groth16's setup ({@link #setup(ConstraintSystem, Path, Path)}): the options are ignored. */
    @Override
    public SetupResult setup(ConstraintSystem cs, SetupOptions options, Path provingKeyOut, Path verifyingKeyOut) {
        return setup(cs, provingKeyOut, verifyingKeyOut);
    }

    @Override
    public ProvingKey loadProvingKey(Path file, String circuitSha256) {
        Objects.requireNonNull(file, "file");
        return new ProvingKey(NativeBridge.loadProvingKeyFor(NativeBridge.path(file), ProvingSystem.GROTH16.id(), circuitSha256));
    }

    @Override
    public VerifyingKey loadVerifyingKey(Path file, String circuitSha256) {
        Objects.requireNonNull(file, "file");
        return new VerifyingKey(NativeBridge.loadVerifyingKeyFor(NativeBridge.path(file), ProvingSystem.GROTH16.id(), circuitSha256));
    }

    /** Loads a proving key file written by {@link #setup}. */
    public ProvingKey loadProvingKey(Path file) {
        Objects.requireNonNull(file, "file");
        return new ProvingKey(NativeBridge.loadProvingKey(NativeBridge.path(file)));
    }

    /** Loads a verifying key file written by {@link #setup}. */
    public VerifyingKey loadVerifyingKey(Path file) {
        Objects.requireNonNull(file, "file");
        return new VerifyingKey(NativeBridge.loadVerifyingKey(NativeBridge.path(file)));
    }

    /**
     * Evaluates the circuit on the quantized inputs and proves the result.
     *
     * @param inputs the input values (signed integers, in IR input order)
     * @throws NativeProverException {@link ErrorCode#INVALID_ARGUMENT} for a wrong number of inputs,
     *     {@link ErrorCode#UNSATISFIED} for an input outside its declared range
     */
    @Override
    public Proof prove(ConstraintSystem cs, ProvingKey pk, List<BigInteger> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        return prove(cs, pk, Provers.decimalArray(inputs));
    }

    /**
     * Evaluates a circuit with hashed inputs on the quantized inputs and proves the result, with
     * {@code salt} as the private salt of the commitment to the hashed inputs (docs/commitments.md).
     * The proof's public inputs hold the commitment ({@link Proof#commitments()}) instead of the
     * hashed input values.
     *
     * @param inputs the input values (signed integers, in IR input order), hashed ones included
     * @param salt a field element in {@code [0, r)}, kept secret by the user
     * @throws NativeProverException {@link ErrorCode#INVALID_ARGUMENT} for a wrong number of inputs, a
     *     salt outside {@code [0, r)} or a circuit without hashed inputs; {@link ErrorCode#UNSATISFIED}
     *     for an input outside its declared range
     */
    @Override
    public Proof prove(ConstraintSystem cs, ProvingKey pk, List<BigInteger> inputs, BigInteger salt) {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(salt, "salt");
        return prove(cs, pk, "{\"inputs\":" + Provers.decimalArray(inputs) + ",\"salt\":\"" + salt + "\"}");
    }

    @Override
    public Proof prove(ConstraintSystem cs, ProvingKey pk, List<BigInteger> inputs, BigInteger salt, BigInteger outputSalt) {
        Objects.requireNonNull(inputs, "inputs");
        return prove(cs, pk, Provers.arguments(inputs, salt, outputSalt));
    }

    @Override
    public Proof prove(ConstraintSystem cs, ProvingKey pk, List<BigInteger> inputs, BigInteger salt, BigInteger outputSalt,
                       java.util.Map<String, List<BigInteger>> weights, BigInteger weightsSalt) {
        Objects.requireNonNull(inputs, "inputs");
        return prove(cs, pk, Provers.arguments(inputs, salt, outputSalt, weights, weightsSalt));
    }

    private Proof prove(ConstraintSystem cs, ProvingKey pk, String arguments) {
        String json;
        try {
            json = NativeBridge.prove(cs.handle(), pk.handle(), arguments);
        } finally {
            // Keep the handles' owners reachable during the native call, so that their
            // cleaners cannot free the handles under it.
            Reference.reachabilityFence(cs);
            Reference.reachabilityFence(pk);
        }
        return Provers.proof(json);
    }

    /**
     * Verifies a proof.
     *
     * @param solidityProof the 256-byte proof ({@link Proof#solidityProof()})
     * @param publicInputs field elements in {@code [0, r)}, verifier order (inputs then outputs);
     *     use {@link Bn254#toField(BigInteger)} for signed values
     * @return whether the proof is valid for these public inputs
     * @throws NativeProverException {@link ErrorCode#MALFORMED_PROOF} if the proof is not 256 bytes,
     *     a point is not on the curve or not in the subgroup, or a public input is not in
     *     {@code [0, r)}; {@link ErrorCode#INVALID_ARGUMENT} for a wrong number of public inputs
     */
    @Override
    public boolean verify(VerifyingKey vk, byte[] solidityProof, List<BigInteger> publicInputs) {
        Objects.requireNonNull(solidityProof, "solidityProof");
        Objects.requireNonNull(publicInputs, "publicInputs");
        try {
            return NativeBridge.verify(vk.handle(), solidityProof, Provers.decimalArray(publicInputs));
        } finally {
            Reference.reachabilityFence(vk);
        }
    }

    /** The Solidity source of gnark's verifier contract for this verifying key. */
    @Override
    public String exportSolidity(VerifyingKey vk) {
        try {
            return NativeBridge.exportSolidity(vk.handle());
        } finally {
            Reference.reachabilityFence(vk);
        }
    }

    /**
     * The points of the verifying key as a JSON document of decimal coordinates (gnark's naming:
     * {@code alpha1}, {@code beta2}, {@code gamma2}, {@code delta2} with G2 coordinates as
     * {@code {"a0":..,"a1":..}} = a0 + a1·u, {@code k} with {@code publicInputs + 1} points, and
     * {@code commitments}); see docs/native-abi.md, "Verifying key as JSON".
     * {@link SnarkjsExport} turns it into snarkjs's {@code verification_key.json}.
     */
    public String verifyingKeyJson(VerifyingKey vk) {
        try {
            return NativeBridge.verifyingKeyJson(vk.handle());
        } finally {
            Reference.reachabilityFence(vk);
        }
    }

    static NativeVersions parseVersions(String json) {
        JsonNode n = Provers.parse(json);
        return new NativeVersions(n.get("abiVersion").asInt(), n.get("gnarkVersion").asString(),
                n.get("goVersion").asString(), n.get("curve").asString());
    }
}
