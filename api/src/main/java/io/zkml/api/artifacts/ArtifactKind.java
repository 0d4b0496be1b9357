package io.zkml.api.artifacts;

import java.util.Locale;

/** What an artifact is; stored lowercase in {@code artifacts.kind}. */
public enum ArtifactKind {
    /** The circuit IR (JSON, docs/ir-format.md). */
    IR,
    /** gnark's R1CS with the native library's versioned header. */
    CONSTRAINT_SYSTEM,
    /** Groth16 or PLONK proving key file. */
    PROVING_KEY,
    /** Groth16 or PLONK verifying key file. */
    VERIFYING_KEY,
    /** gnark's Solidity verifier source. */
    VERIFIER_SOLIDITY,
    /** Phase 1 of a Groth16 ceremony, taken from the .ptau file (issue 7). */
    CEREMONY_PHASE1,
    /** A phase-2 state of a Groth16 ceremony (issue 7). */
    CEREMONY_STATE,
    /** The private weights of a circuit with hashed weights (issue 8; zkml-weights JSON, {@code HashedWeights}). */
    WEIGHTS;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ArtifactKind fromDb(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }

    /** Whether the bytes are in a gnark/native-library format that depends on the gnark and ABI version. */
    public boolean nativeFormat() {
        return this == CONSTRAINT_SYSTEM || this == PROVING_KEY || this == VERIFYING_KEY || this == CEREMONY_PHASE1
                || this == CEREMONY_STATE;
    }
}
