package io.zkml.api.circuits;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;

/**
 * Issue 7: how a circuit range-checks its values ({@code "rangeCheck"} of
 * {@code POST /v1/models/{id}/circuits}; docs/adr/0024-range-check-default.md).
 *
 * <ul>
 *   <li>{@code bits} (default): bit decompositions; plain Groth16 (256-byte proofs, snarkjs-compatible) or PLONK.</li>
 *   <li>{@code lookup}: gnark's {@code std/rangecheck} (LogUp over one BSB22 commitment). The IR says
 *       {@code "range_check": "lookup"}, so the circuit hash differs from the bits circuit's. Groth16
 *       proofs are 384 bytes (the commitment and its proof of knowledge after the 8 words), the
 *       Solidity verifier checks the commitment too, and snarkjs (browser verification) cannot check it;
 *       PLONK proofs are 896 bytes (the commitment selector's value at zeta and the commitment added).</li>
 * </ul>
 */
public final class RangeCheck {

    public static final String BITS = "bits";
    public static final String LOOKUP = "lookup";

    private RangeCheck() {
    }

    /**
     * The range checks a request asks for (null or blank: {@link #BITS}); an unknown value is a 400
     * {@code invalid-request}. Both proving systems take lookup. Any Groth16 setup takes lookup (single-party, and the ceremony:
     * mpcsetup carries the commitment's keys through phase 2, {@code TestCeremonyWithLookup}).
     */
    static String resolve(String requested, String provingSystem, String setupTrust) {
        if (requested == null || requested.isBlank()) {
            return BITS;
        }
        String rc = requested.strip().toLowerCase(Locale.ROOT);
        if (!rc.equals(BITS) && !rc.equals(LOOKUP)) {
            throw new ApiException(ProblemType.INVALID_REQUEST, "rangeCheck must be \"bits\" or \"lookup\", got \"" + requested + "\"",
                    Map.of("field", "rangeCheck"));
        }
        if (rc.equals(LOOKUP) && !"groth16".equals(provingSystem) && !"plonk".equals(provingSystem)) {
            throw new ApiException(ProblemType.UNSUPPORTED_RANGE_CHECK, "\"rangeCheck\": \"lookup\" is offered for groth16 and plonk",
                    Map.of("field", "rangeCheck", "supportedProvingSystems", List.of("groth16", "plonk")));
        }
        return rc;
    }
}
