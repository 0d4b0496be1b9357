package io.zkml.prover;

import java.math.BigInteger;

/** The BN254 scalar field, in which all circuit values and public inputs live. */
public final class Bn254 {

    /** The scalar field modulus r. */
    public static final BigInteger R = new BigInteger(
            "21888242871839275222246405745257275088548364400416034343698204186575808495617");

    private static final BigInteger HALF_R = R.shiftRight(1);

    private Bn254() {
    }

    /**
     * The field element that stands for a signed integer: {@code v} if {@code v >= 0}, else
     * {@code r + v}. This is how a negative value appears as a public input.
     *
     * @throws IllegalArgumentException if {@code |v| > r/2}
     */
    public static BigInteger toField(BigInteger v) {
        if (v.abs().compareTo(HALF_R) > 0) {
            throw new IllegalArgumentException("value out of the signed field range: " + v);
        }
        return v.signum() < 0 ? v.add(R) : v;
    }

    /**
     * The signed integer a field element stands for: {@code e} if {@code e <= r/2}, else
     * {@code e - r}.
     *
     * @throws IllegalArgumentException if {@code e} is not in {@code [0, r)}
     */
    public static BigInteger toSigned(BigInteger e) {
        if (e.signum() < 0 || e.compareTo(R) >= 0) {
            throw new IllegalArgumentException("not a field element: " + e);
        }
        return e.compareTo(HALF_R) > 0 ? e.subtract(R) : e;
    }
}
