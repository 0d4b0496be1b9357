package io.zkml.api.inferences;

import java.util.Locale;

/** queued → proving → succeeded, or failed (with an error), or cancelled (while queued, by its owner). */
public enum InferenceStatus {
    QUEUED, PROVING, SUCCEEDED, FAILED, CANCELLED;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static InferenceStatus fromDb(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
