package io.zkml.prover;

/**
 * What a key was made for and how, from its file's header ({@code zkml_key_info}).
 *
 * @param kind the artifact kind, e.g. {@code plonk-verifying-key}
 * @param provingSystem the system the key belongs to
 * @param circuitSha256 the circuit hash (SHA-256 of the IR) the key was made for
 * @param trust who must be honest for proofs to mean anything: {@code single-party} (Groth16 set up
 *     in one process), {@code universal-srs} (PLONK on a powers-of-tau file),
 *     {@code local-unsafe} (PLONK on a locally drawn SRS); see docs/trust-model.md
 * @param srsSha256 SHA-256 of the powers-of-tau file ({@code universal-srs}), else {@code null}
 * @param srsPower the power of that file, 0 if none
 * @param srsSize the number of G1 powers the key uses (PLONK), 0 for Groth16
 */
public record KeyInfo(String kind, ProvingSystem provingSystem, String circuitSha256, String trust,
                      String srsSha256, int srsPower, int srsSize) {
}
