package io.zkml.prover;

import java.lang.ref.Reference;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

import tools.jackson.databind.JsonNode;

/**
 * A Groth16 setup by a multi-party ceremony (gnark's {@code backend/groth16/bn254/mpcsetup};
 * docs/native-abi.md, "Ceremony"; docs/trust-model.md). Phase 1 is taken from a snarkjs
 * powers-of-tau file (a public ceremony; checked); phase 2 is per circuit: {@link #start} writes
 * the initial state (no randomness), each contributor runs {@link #contribute} on the latest state
 * (offline, with their own randomness, needing no circuit), the coordinator checks each upload
 * with {@link #verifyContribution} against the state before it, and {@link #finalize} re-verifies
 * the whole transcript, applies a public random beacon and writes the keys. The keys are sound if
 * one contributor of each phase was honest; their header says {@code "trust": "ceremony"}.
 *
 * <p>Stateless and thread-safe; every method throws {@link NativeProverException}
 * ({@link ErrorCode#INVALID_ARGUMENT} for a contribution that does not verify, a stale state or a
 * state of another circuit; {@link ErrorCode#IO} for a malformed or changed file).
 */
public final class Groth16Ceremony {

    /**
     * What a ceremony step says about a state.
     *
     * @param stateSha256 SHA-256 of the state's payload: the next contribution's challenge is its hash
     * @param domainSize the circuit's power-of-two domain
     * @param srsSha256 SHA-256 of the .ptau file phase 1 came from ({@link #start} only, else null)
     * @param srsPower that file's power, 0 if none
     */
    public record StateInfo(String stateSha256, int domainSize, String srsSha256, int srsPower) {
    }

    private Groth16Ceremony() {
    }

    /** Loads the native library (once per process). */
    private static void load() {
        Groth16Prover.load();
    }

    /**
     * Takes phase 1 from the powers-of-tau file (checked) and initialises phase 2 for a Groth16
     * constraint system: writes the phase-1 file and the initial state.
     */
    public static StateInfo start(ConstraintSystem cs, Path ptauFile, Path phase1Out, Path stateOut) {
        load();
        Objects.requireNonNull(ptauFile, "ptauFile");
        try {
            return info(NativeBridge.ceremonyStart(cs.handle(), NativeBridge.path(ptauFile), NativeBridge.path(phase1Out),
                    NativeBridge.path(stateOut)));
        } finally {
            Reference.reachabilityFence(cs);
        }
    }

    /** Contributes fresh randomness (dropped afterwards) to a state: what a contributor runs. */
    public static StateInfo contribute(Path stateIn, Path stateOut) {
        load();
        return info(NativeBridge.ceremonyContribute(NativeBridge.path(stateIn), NativeBridge.path(stateOut)));
    }

    /** Checks that {@code next} is a valid contribution on {@code prev} for this circuit. */
    public static StateInfo verifyContribution(ConstraintSystem cs, Path prev, Path next) {
        load();
        try {
            return info(NativeBridge.ceremonyVerify(cs.handle(), NativeBridge.path(prev), NativeBridge.path(next)));
        } finally {
            Reference.reachabilityFence(cs);
        }
    }

    /**
     * Verifies the whole transcript (phase 2 initialised again, each contribution against the one
     * before), applies the beacon (e.g. a block hash announced after the last contribution) and
     * writes both keys ({@code trust: ceremony}).
     */
    public static SetupResult finalize(ConstraintSystem cs, Path phase1, List<Path> contributions, byte[] beacon,
                                       Path provingKeyOut, Path verifyingKeyOut) {
        load();
        Objects.requireNonNull(contributions, "contributions");
        Objects.requireNonNull(beacon, "beacon");
        StringBuilder json = new StringBuilder("[");
        for (Path p : contributions) {
            json.append(json.length() > 1 ? "," : "").append(Provers.jsonString(NativeBridge.path(p)));
        }
        json.append(']');
        try {
            return Provers.setupResult(NativeBridge.ceremonyFinalize(cs.handle(), NativeBridge.path(phase1), json.toString(),
                    HexFormat.of().formatHex(beacon), NativeBridge.path(provingKeyOut), NativeBridge.path(verifyingKeyOut)));
        } finally {
            Reference.reachabilityFence(cs);
        }
    }

    private static StateInfo info(String json) {
        JsonNode n = Provers.parse(json);
        JsonNode srs = n.get("srsSha256");
        return new StateInfo(n.get("stateSha256").asString(), n.get("domainSize").asInt(),
                srs == null || srs.isNull() ? null : srs.asString(), n.path("srsPower").asInt(0));
    }
}
