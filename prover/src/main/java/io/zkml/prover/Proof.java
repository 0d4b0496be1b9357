package io.zkml.prover;

import java.math.BigInteger;
import java.util.List;

/**
 * A proof of one inference (Groth16 or PLONK: {@link #provingSystem()}), for one circuit
 * ({@link #circuitSha256()}).
 *
 * @param outputs the circuit's output values (signed integers) as computed by the native evaluator
 * @param publicInputs the public inputs as decimal field elements in verifier order (the public
 *     input values, the commitments, then the outputs); a negative value {@code v} appears as {@code r + v}
 * @param solidityProof the proof. Groth16: the layout gnark's Solidity verifier takes, 8 big-endian
 *     32-byte words {@code A.x, A.y, B.x1, B.x0, B.y1, B.y0, C.x, C.y} (256 bytes). PLONK: gnark's
 *     {@code MarshalSolidity} layout (768 bytes) followed by the 32-byte linearised opening that
 *     gnark's Go verifier takes (800 bytes; the calldata carries the first 768)
 * @param proofHex {@code 0x} + hex of {@link #solidityProof}
 * @param calldataHex {@code 0x} + hex of the full calldata of the exported verifier: Groth16
 *     {@code verifyProof(bytes,uint256[N])} (reverts unless valid), PLONK
 *     {@code Verify(bytes,uint256[])} (returns false unless valid)
 * @param witnessMillis time to solve the witness (evaluate the circuit)
 * @param proveMillis time to compute the proof
 * @param provingSystem the system of the key that made it
 * @param circuitSha256 the circuit hash (SHA-256 of the IR) it proves
 * @param commitments the commitments to the hashed inputs (decimal field elements, also in
 *     {@code publicInputs} after the public input values); empty for a circuit without hashed inputs
 */
public record Proof(List<BigInteger> outputs,
                    List<String> publicInputs,
                    byte[] solidityProof,
                    String proofHex,
                    String calldataHex,
                    long witnessMillis,
                    long proveMillis,
                    ProvingSystem provingSystem,
                    String circuitSha256,
                    List<String> commitments) {

    /** A proof of a circuit without hashed inputs. */
    public Proof(List<BigInteger> outputs, List<String> publicInputs, byte[] solidityProof, String proofHex,
                 String calldataHex, long witnessMillis, long proveMillis, ProvingSystem provingSystem,
                 String circuitSha256) {
        this(outputs, publicInputs, solidityProof, proofHex, calldataHex, witnessMillis, proveMillis, provingSystem,
                circuitSha256, List.of());
    }

    public Proof {
        commitments = commitments == null ? List.of() : List.copyOf(commitments);
        outputs = List.copyOf(outputs);
        publicInputs = List.copyOf(publicInputs);
        solidityProof = solidityProof.clone();
    }

    /** A copy of the proof bytes. */
    @Override
    public byte[] solidityProof() {
        return solidityProof.clone();
    }
}
