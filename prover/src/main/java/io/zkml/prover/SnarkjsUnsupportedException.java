package io.zkml.prover;

/**
 * The circuit's proofs cannot be checked by snarkjs's {@code groth16 verify}: a Groth16 key with
 * Pedersen commitments (gnark's extra pairing and the commitment hashed into a public input, which
 * snarkjs does not know), or a key that is not Groth16 over BN254. Thrown by {@link SnarkjsExport}
 * instead of writing files that snarkjs would reject or, worse, read differently.
 */
public final class SnarkjsUnsupportedException extends RuntimeException {
    public SnarkjsUnsupportedException(String message) {
        super(message);
    }
}
