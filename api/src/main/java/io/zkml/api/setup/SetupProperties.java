package io.zkml.api.setup;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code zkml.setup.*}: where setups get their randomness from (issue 7, docs/trust-model.md).
 *
 * @param ptauPath a powers-of-tau file in snarkjs's {@code .ptau} format (e.g. a file of the Hermez /
 *     perpetual powers-of-tau ceremony that the operator downloaded; its power must cover the largest
 *     PLONK circuit: {@code 2^power >= constraints + 3}). PLONK circuits with {@code "trust":
 *     "universal-srs"} (the PLONK default) are set up on it; the file is read and checked by every
 *     setup (points on the curve and in the subgroup, consecutive powers by pairing checks, enough
 *     powers), and its SHA-256 is recorded in the keys and shown as the circuit's {@code setup.srsSha256}.
 *     Unset: no {@code universal-srs} setups (a 422 {@code unsupported-setup}). Phase 1 of every
 *     Groth16 ceremony is taken from the same file (its alphaTauG1, betaTauG1, betaG2 sections)
 * @param ceremonyMinContributions the contributions a Groth16 ceremony needs besides the service's
 *     own before it may be finalized (default 1; 0: finalize right after the service's contribution,
 *     a single-party phase 2, for development)
 */
@ConfigurationProperties("zkml.setup")
public record SetupProperties(Path ptauPath, @DefaultValue("1") int ceremonyMinContributions) {

    public SetupProperties {
        if (ceremonyMinContributions < 0) {
            throw new IllegalArgumentException("zkml.setup.ceremony-min-contributions must be >= 0, got " + ceremonyMinContributions);
        }
    }
}
