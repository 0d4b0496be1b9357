package io.zkml.compiler.tribuo;

import java.io.IOException;
import java.util.Locale;

/**
 * One clear phrase for a protobuf parse failure (issue 9, defect 9): protobuf's own messages name its
 * internals ("CodedInputStream", "setRecursionLimit()", "Protocol message ...") and advise raising
 * limits that an uploader cannot change, so they never reach an error message.
 */
public final class ProtobufErrors {

    /** Protobuf's default nesting limit (what {@code parseFrom(byte[])} applies). */
    public static final int DEFAULT_RECURSION_LIMIT = 100;

    private ProtobufErrors() {
    }

    /**
     * What went wrong, as a phrase to follow "is not a valid ...: ": {@code nested too deeply (limit N)},
     * {@code truncated}, {@code larger than its declared size}, {@code malformed (a string is not valid
     * UTF-8)}, {@code missing required fields} or {@code malformed}.
     *
     * @param recursionLimit the nesting limit the parser applied
     */
    public static String describe(IOException e, int recursionLimit) {
        String m = e == null || e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        if (m.contains("levels of nesting")) {
            return "nested too deeply (limit " + recursionLimit + " levels)";
        }
        if (m.contains("ended unexpectedly") || m.contains("truncated")) {
            return "truncated";
        }
        if (m.contains("too large")) {
            return "larger than its declared size";
        }
        if (m.contains("utf-8")) {
            return "malformed (a string is not valid UTF-8)";
        }
        if (m.contains("missing required fields")) {
            return "missing required fields";
        }
        return "malformed";
    }
}
