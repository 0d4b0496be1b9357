package io.zkml.prover;

/**
 * The result of a Groth16 setup.
 *
 * @param setupMillis wall time of the setup in the native library
 * @param verifyingKeySha256 lowercase hex SHA-256 of the verifying-key file bytes (header included)
 */
public record SetupResult(long setupMillis, String verifyingKeySha256) {
}
