package io.zkml.api.jobs;

import java.util.Locale;

/** The life of a job: queued → running → succeeded | failed (or back to queued for a retry). */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobStatus fromDb(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
