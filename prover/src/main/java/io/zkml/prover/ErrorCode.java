package io.zkml.prover;

/**
 * Error codes of the native library's C ABI ({@code docs/native-abi.md}). The numeric values are
 * part of the ABI and never change meaning.
 */
public enum ErrorCode {
    /** No error. */
    OK(0),
    /** A caller mistake: a null or empty argument, a malformed number, a wrong input count. */
    INVALID_ARGUMENT(1),
    /** The IR document is not valid IR v1 (syntax, unknown version or op, wrong bounds...). */
    INVALID_IR(2),
    /** The witness does not satisfy the circuit, e.g. an input outside its declared range. */
    UNSATISFIED(3),
    /** A proof or public input that cannot be decoded: bad length, point not on the curve, value not below r. */
    MALFORMED_PROOF(4),
    /** Reading or writing an artifact file failed. */
    IO(5),
    /** An artifact file was written by a different curve, gnark version or ABI version. */
    VERSION_MISMATCH(6),
    /** The handle is closed, was never issued, or is of the wrong kind. */
    UNKNOWN_HANDLE(7),
    /** A bug: a recovered Go panic or an unexpected native state. */
    INTERNAL(99);

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    /** The numeric code used by the C ABI. */
    public int code() {
        return code;
    }

    /** The error code for a numeric code; unknown codes map to {@link #INTERNAL}. */
    public static ErrorCode of(int code) {
        for (ErrorCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return INTERNAL;
    }
}
