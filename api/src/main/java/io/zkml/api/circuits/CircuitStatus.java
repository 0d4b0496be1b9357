package io.zkml.api.circuits;

import java.util.Locale;

/**
 * queued → compiling → setting_up → ready, or failed (with an error). A Groth16 circuit with a
 * ceremony setup waits in awaiting_contributions between setting_up and ready (issue 7).
 */
public enum CircuitStatus {
    QUEUED, COMPILING, SETTING_UP, AWAITING_CONTRIBUTIONS, READY, FAILED;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CircuitStatus fromDb(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
