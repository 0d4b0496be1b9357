package io.zkml.api.circuits;

import java.util.Locale;

/** queued → compiling → setting_up → ready, or failed (with an error). */
public enum CircuitStatus {
    QUEUED, COMPILING, SETTING_UP, READY, FAILED;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CircuitStatus fromDb(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
