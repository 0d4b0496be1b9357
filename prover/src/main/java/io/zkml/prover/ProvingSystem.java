package io.zkml.prover;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A proving system of the native library, by its ABI name ({@link #id()}): what the keys, the
 * proofs and the constraint-system files say they are for.
 */
public enum ProvingSystem {
    /**
     * Groth16 over BN254: R1CS, a circuit-specific setup (single-party inside this process), 256-byte
     * proofs; the exported verifier's {@code verifyProof} reverts on a proof that does not verify.
     */
    GROTH16("groth16"),
    /**
     * PLONK over BN254 with KZG: a sparse R1CS (more, simpler constraints), a universal SRS from a
     * powers-of-tau file, 800-byte proofs (the Solidity layout's 768 and the linearised opening);
     * the exported verifier's {@code Verify} returns {@code false} on a proof that does not verify
     * (and reverts on a malformed one): callers must check the returned value.
     */
    PLONK("plonk");

    private final String id;

    ProvingSystem(String id) {
        this.id = id;
    }

    /** The name the native library, the artifacts and the REST API use: {@code groth16}, {@code plonk}. */
    public String id() {
        return id;
    }

    /**
     * The system of a name (case-insensitive, surrounding blanks ignored).
     *
     * @throws IllegalArgumentException naming the known systems for any other name
     */
    public static ProvingSystem of(String name) {
        String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        for (ProvingSystem s : values()) {
            if (s.id.equals(n)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown proving system '" + name + "' (known: " + known() + ")");
    }

    /** The names of every system, comma-separated. */
    public static String known() {
        return Arrays.stream(values()).map(ProvingSystem::id).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return id;
    }
}
