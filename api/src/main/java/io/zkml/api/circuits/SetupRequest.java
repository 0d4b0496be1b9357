package io.zkml.api.circuits;

/**
 * The {@code setup} of {@code POST /v1/models/{id}/circuits} (issue 7, docs/trust-model.md).
 *
 * @param trust {@code single-party} (Groth16, the default), {@code universal-srs} (PLONK on the
 *     configured powers-of-tau file, the PLONK default) or {@code local-unsafe} (PLONK on an SRS the
 *     service draws itself; development mode only); null: the proving system's default
 */
public record SetupRequest(String trust) {
}
