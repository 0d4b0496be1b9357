package io.zkml.prover;

/**
 * The result of a setup.
 *
 * @param setupMillis wall time of the setup in the native library
 * @param verifyingKeySha256 lowercase hex SHA-256 of the verifying-key file bytes (header included)
 * @param provingSystem the keys' system
 * @param trust who must be honest: {@code single-party}, {@code universal-srs} or {@code local-unsafe}
 *     ({@link KeyInfo#trust()})
 * @param srsSha256 SHA-256 of the powers-of-tau file the SRS came from, else {@code null}
 * @param srsPower the power of that file, 0 if none
 */
public record SetupResult(long setupMillis, String verifyingKeySha256, ProvingSystem provingSystem, String trust,
                          String srsSha256, int srsPower) {

    /** A Groth16 setup's result (single-party). */
    public SetupResult(long setupMillis, String verifyingKeySha256) {
        this(setupMillis, verifyingKeySha256, ProvingSystem.GROTH16, "single-party", null, 0);
    }
}
