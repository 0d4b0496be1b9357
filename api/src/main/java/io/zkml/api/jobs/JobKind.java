package io.zkml.api.jobs;

import java.util.Locale;

/** What a job does; stored lowercase in {@code jobs.kind}. */
public enum JobKind {
    /** Compile a circuit: IR, constraint system, Groth16 setup, Solidity verifier. */
    COMPILE,
    /** Prove one inference. */
    PROVE,
    /** POST an ended inference to its callbackUrl, signed (issue 9); queued by a trigger (V17). */
    CALLBACK;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobKind fromDb(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
