package io.zkml.api.circuits;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The {@code setup} of a circuit document: how its keys were made (docs/trust-model.md).
 *
 * @param trust who must be honest: {@code single-party}, {@code universal-srs}, {@code local-unsafe}
 * @param srsSha256 SHA-256 of the powers-of-tau file the PLONK SRS came from ({@code universal-srs});
 *     null otherwise and until the setup ran
 * @param srsPower the power of that file ({@code 2^power} points), null if none
 * @param srsSize the number of G1 powers the PLONK keys use, null for Groth16 and until the setup ran
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SetupInfo(String trust, String srsSha256, Integer srsPower, Integer srsSize) {
}
