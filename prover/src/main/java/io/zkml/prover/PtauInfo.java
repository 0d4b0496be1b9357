package io.zkml.prover;

/**
 * A checked powers-of-tau file ({@link Prover#checkPtau}).
 *
 * @param power the file holds 2^power powers of tau in G2 and 2^(power+1) − 1 in G1
 * @param ceremonyPower the power of the ceremony the file was cut from
 * @param g1Powers the number of G1 powers
 * @param maxDomainSize the largest PLONK domain it can set up (2^power: constraints + public inputs,
 *     rounded up to a power of two)
 * @param sha256 SHA-256 of the whole file
 */
public record PtauInfo(int power, int ceremonyPower, int g1Powers, long maxDomainSize, String sha256) {
}
