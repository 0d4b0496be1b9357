package io.zkml.api.artifacts;

import java.util.Locale;

/** What an artifact is; stored lowercase in {@code artifacts.kind}. */
public enum ArtifactKind {
    /** The circuit IR (JSON, docs/ir-format.md). */
    IR,
    /** gnark's R1CS with the native library's versioned header. */
    CONSTRAINT_SYSTEM,
    /** Groth16 proving key file. */
    PROVING_KEY,
    /** Groth16 verifying key file. */
    VERIFYING_KEY,
    /** gnark's Solidity verifier source. */
    VERIFIER_SOLIDITY;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ArtifactKind fromDb(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }

    /** Whether the bytes are in a gnark/native-library format that depends on the gnark and ABI version. */
    public boolean nativeFormat() {
        return this == CONSTRAINT_SYSTEM || this == PROVING_KEY || this == VERIFYING_KEY;
    }
}
