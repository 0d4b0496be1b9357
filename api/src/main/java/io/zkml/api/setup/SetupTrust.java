package io.zkml.api.setup;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;
import io.zkml.api.runtime.ServiceMode;
import io.zkml.prover.ProvingSystem;

/**
 * Who must be honest for a circuit's proofs to mean anything: the {@code setup.trust} of a circuit
 * (docs/trust-model.md). Decided when the circuit is created, from the request, the proving system,
 * the service mode and the configured powers-of-tau file.
 */
public enum SetupTrust {
    /** Groth16 keys from a setup run once inside this service: the service must be honest. */
    SINGLE_PARTY("single-party"),
    /** PLONK on a universal SRS from a public powers-of-tau ceremony: one honest contributor suffices. */
    UNIVERSAL_SRS("universal-srs"),
    /** PLONK on an SRS this service drew itself: no guarantee at all; development only. */
    LOCAL_UNSAFE("local-unsafe"),
    /**
     * Groth16 whose phase 1 is the configured powers-of-tau file and whose phase 2 is a multi-party
     * ceremony anyone can join (the service contributes first): one honest contributor of each
     * phase suffices.
     */
    CEREMONY("ceremony");

    private final String id;

    SetupTrust(String id) {
        this.id = id;
    }

    /** The name in the API, the database and the keys' headers. */
    public String id() {
        return id;
    }

    /** The trust with this name, or null. */
    public static SetupTrust fromId(String id) {
        for (SetupTrust t : values()) {
            if (t.id.equals(id)) {
                return t;
            }
        }
        return null;
    }

    /**
     * The trust of a new circuit: the requested one (null: the system's default) if this service can
     * and may run it.
     *
     * @throws ApiException {@code unsupported-setup} (422) with {@code supportedTrust}: what would be
     *     accepted now for this system
     */
    public static SetupTrust resolve(ProvingSystem system, String requested, ServiceMode mode, boolean ptauConfigured) {
        List<SetupTrust> allowed = allowed(system, mode, ptauConfigured);
        Map<String, Object> members = Map.of("supportedTrust", allowed.stream().map(SetupTrust::id).toList());
        if (requested == null) {
            return switch (system) {
                case GROTH16 -> SINGLE_PARTY;
                case PLONK -> {
                    if (ptauConfigured) {
                        yield UNIVERSAL_SRS;
                    }
                    throw new ApiException(ProblemType.UNSUPPORTED_SETUP, "a PLONK circuit needs a universal SRS and no "
                            + "powers-of-tau file is configured (zkml.setup.ptau-path)"
                            + (mode == ServiceMode.DEVELOPMENT
                            ? "; in development mode ask for \"setup\": {\"trust\": \"local-unsafe\"}" : ""), members);
                }
            };
        }
        String name = requested.strip().toLowerCase(Locale.ROOT);
        SetupTrust t = fromId(name);
        if (t == null) {
            throw new ApiException(ProblemType.UNSUPPORTED_SETUP, "setup.trust '" + abbreviate(requested)
                    + "' is unknown; known: single-party, universal-srs, local-unsafe, ceremony", members);
        }
        if (!fits(system, t)) {
            throw new ApiException(ProblemType.UNSUPPORTED_SETUP, "setup.trust '" + t.id + "' does not apply to "
                    + system.id() + " (" + system.id() + ": " + String.join(", ", fitting(system)) + ")", members);
        }
        if ((t == UNIVERSAL_SRS || t == CEREMONY) && !ptauConfigured) {
            throw new ApiException(ProblemType.UNSUPPORTED_SETUP, "setup.trust '" + t.id + "' needs a powers-of-tau file"
                    + (t == CEREMONY ? " (its phase 1)" : "") + " and none is configured (zkml.setup.ptau-path)", members);
        }
        if (t == LOCAL_UNSAFE && mode != ServiceMode.DEVELOPMENT) {
            throw new ApiException(ProblemType.UNSUPPORTED_SETUP, "setup.trust 'local-unsafe' is allowed only in "
                    + "development mode (zkml.mode=development): whoever ran such a setup can forge proofs", members);
        }
        return t;
    }

    /** Whether a setup of this trust may run in a process of this mode (the compile job checks again). */
    public boolean allowedIn(ServiceMode mode) {
        return this != LOCAL_UNSAFE || mode == ServiceMode.DEVELOPMENT;
    }

    private static boolean fits(ProvingSystem system, SetupTrust t) {
        return fitting(system).contains(t.id);
    }

    private static List<String> fitting(ProvingSystem system) {
        return switch (system) {
            case GROTH16 -> List.of(SINGLE_PARTY.id, CEREMONY.id);
            case PLONK -> List.of(UNIVERSAL_SRS.id, LOCAL_UNSAFE.id);
        };
    }

    private static List<SetupTrust> allowed(ProvingSystem system, ServiceMode mode, boolean ptauConfigured) {
        List<SetupTrust> out = new ArrayList<>();
        for (String id : fitting(system)) {
            SetupTrust t = fromId(id);
            if ((t != UNIVERSAL_SRS && t != CEREMONY || ptauConfigured) && t.allowedIn(mode)) {
                out.add(t);
            }
        }
        return out;
    }

    private static String abbreviate(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
    }
}
