package io.zkml.prover;

import java.lang.ref.Reference;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * PLONK over BN254 with KZG through the native gnark library: the IR compiled to a sparse R1CS, a
 * setup on a universal SRS (a snarkjs powers-of-tau file, checked; or, for development only, one the
 * library draws itself), 800-byte proofs, gnark's PLONK Solidity verifier.
 *
 * <p>The exported verifier's {@code Verify(bytes,uint256[])} <b>returns {@code false}</b> for a proof
 * that does not verify (Groth16's {@code verifyProof} reverts); it reverts only on malformed input.
 * A contract calling it must check the returned value.
 *
 * <p>Thread-safe; {@link #load()} returns the one instance.
 */
public final class PlonkProver implements Prover {

    private static final String SYSTEM = ProvingSystem.PLONK.id();
    private static volatile PlonkProver instance;

    private final NativeVersions versions;

    private PlonkProver(NativeVersions versions) {
        this.versions = versions;
    }

    /** Loads the native library (once per process) and returns the prover. */
    public static PlonkProver load() {
        PlonkProver p = instance;
        if (p == null) {
            synchronized (PlonkProver.class) {
                if (instance == null) {
                    instance = new PlonkProver(NativeLibrary.load());
                }
                p = instance;
            }
        }
        return p;
    }

    @Override
    public ProvingSystem provingSystem() {
        return ProvingSystem.PLONK;
    }

    @Override
    public NativeVersions versions() {
        return versions;
    }

    @Override
    public ConstraintSystem compile(byte[] irJson) {
        Objects.requireNonNull(irJson, "irJson");
        return Provers.constraintSystem(NativeBridge.compileFor(irJson, SYSTEM));
    }

    @Override
    public ConstraintSystem loadConstraintSystem(byte[] irJson, Path csFile) {
        Objects.requireNonNull(irJson, "irJson");
        Objects.requireNonNull(csFile, "csFile");
        return Provers.constraintSystem(NativeBridge.loadConstraintSystemFor(irJson, SYSTEM, NativeBridge.path(csFile)));
    }

    @Override
    public SetupResult setup(ConstraintSystem cs, SetupOptions options, Path provingKeyOut, Path verifyingKeyOut) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(provingKeyOut, "provingKeyOut");
        Objects.requireNonNull(verifyingKeyOut, "verifyingKeyOut");
        try {
            return Provers.setupResult(NativeBridge.setupFor(cs.handle(), options.toJson(),
                    NativeBridge.path(provingKeyOut), NativeBridge.path(verifyingKeyOut)));
        } finally {
            Reference.reachabilityFence(cs);
        }
    }

    @Override
    public ProvingKey loadProvingKey(Path file, String circuitSha256) {
        Objects.requireNonNull(file, "file");
        return new ProvingKey(NativeBridge.loadProvingKeyFor(NativeBridge.path(file), SYSTEM, circuitSha256));
    }

    @Override
    public VerifyingKey loadVerifyingKey(Path file, String circuitSha256) {
        Objects.requireNonNull(file, "file");
        return new VerifyingKey(NativeBridge.loadVerifyingKeyFor(NativeBridge.path(file), SYSTEM, circuitSha256));
    }

    @Override
    public Proof prove(ConstraintSystem cs, ProvingKey pk, List<BigInteger> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        try {
            return Provers.proof(NativeBridge.prove(cs.handle(), pk.handle(), Provers.decimalArray(inputs)));
        } finally {
            Reference.reachabilityFence(cs);
            Reference.reachabilityFence(pk);
        }
    }

    @Override
    public Proof prove(ConstraintSystem cs, ProvingKey pk, List<BigInteger> inputs, BigInteger salt, BigInteger outputSalt,
                       java.util.Map<String, List<BigInteger>> weights, BigInteger weightsSalt) {
        Objects.requireNonNull(inputs, "inputs");
        try {
            return Provers.proof(NativeBridge.prove(cs.handle(), pk.handle(), Provers.arguments(inputs, salt, outputSalt, weights, weightsSalt)));
        } finally {
            Reference.reachabilityFence(cs);
            Reference.reachabilityFence(pk);
        }
    }

    @Override
    public Proof prove(ConstraintSystem cs, ProvingKey pk, List<BigInteger> inputs, BigInteger salt, BigInteger outputSalt) {
        Objects.requireNonNull(inputs, "inputs");
        try {
            return Provers.proof(NativeBridge.prove(cs.handle(), pk.handle(), Provers.arguments(inputs, salt, outputSalt)));
        } finally {
            Reference.reachabilityFence(cs);
            Reference.reachabilityFence(pk);
        }
    }

    @Override
    public Proof prove(ConstraintSystem cs, ProvingKey pk, List<BigInteger> inputs, BigInteger salt) {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(salt, "salt");
        try {
            return Provers.proof(NativeBridge.prove(cs.handle(), pk.handle(),
                    "{\"inputs\":" + Provers.decimalArray(inputs) + ",\"salt\":\"" + salt + "\"}"));
        } finally {
            Reference.reachabilityFence(cs);
            Reference.reachabilityFence(pk);
        }
    }

    @Override
    public boolean verify(VerifyingKey vk, byte[] proof, List<BigInteger> publicInputs) {
        Objects.requireNonNull(proof, "proof");
        Objects.requireNonNull(publicInputs, "publicInputs");
        try {
            return NativeBridge.verify(vk.handle(), proof, Provers.decimalArray(publicInputs));
        } finally {
            Reference.reachabilityFence(vk);
        }
    }

    @Override
    public String exportSolidity(VerifyingKey vk) {
        try {
            return NativeBridge.exportSolidity(vk.handle());
        } finally {
            Reference.reachabilityFence(vk);
        }
    }
}
