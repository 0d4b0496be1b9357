package io.zkml.prover;

import java.nio.file.Path;

/**
 * Inputs of a setup besides the circuit. Groth16 ignores them (its setup is single-party).
 *
 * @param ptauFile a snarkjs powers-of-tau file (PLONK): the SRS is read from it and checked (points
 *     on the curve and in the subgroup, consecutive powers by pairing checks, enough powers for the
 *     circuit); its SHA-256 is recorded in the keys and the setup's trust is
 *     {@code universal-srs}. {@code null}: no file
 * @param allowLocalUnsafe with no file, let the native library draw the SRS itself (trust
 *     {@code local-unsafe}: whoever ran the setup could forge proofs; development only). Without
 *     a file and without this, a PLONK setup is refused
 */
public record SetupOptions(Path ptauFile, boolean allowLocalUnsafe) {

    /** No options: Groth16's setup, or a PLONK setup that is refused. */
    public static SetupOptions none() {
        return new SetupOptions(null, false);
    }

    /** The SRS from a powers-of-tau file. */
    public static SetupOptions ptau(Path file) {
        return new SetupOptions(file, false);
    }

    /** A locally drawn SRS (development and tests only). */
    public static SetupOptions localUnsafe() {
        return new SetupOptions(null, true);
    }

    String toJson() {
        StringBuilder b = new StringBuilder("{");
        if (ptauFile != null) {
            b.append("\"ptauPath\":").append(Provers.jsonString(NativeBridge.path(ptauFile)));
        }
        if (allowLocalUnsafe) {
            b.append(b.length() > 1 ? "," : "").append("\"allowLocalUnsafe\":true");
        }
        return b.append('}').toString();
    }
}
