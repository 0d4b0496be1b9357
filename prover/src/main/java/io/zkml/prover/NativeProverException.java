package io.zkml.prover;

/**
 * An error reported by the native prover library. Thrown by the JNI glue (and by the Java side
 * for closed handles); the message is the native library's message, meant for humans.
 */
public final class NativeProverException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int code;

    /**
     * Creates the exception. This constructor is called from C (JNI signature
     * {@code (ILjava/lang/String;)V}); do not change its signature.
     *
     * @param code the numeric error code of the C ABI
     * @param message the message
     */
    public NativeProverException(int code, String message) {
        super(ErrorCode.of(code) + ": " + message);
        this.code = code;
    }

    /** Creates the exception for a known error code. */
    public NativeProverException(ErrorCode code, String message) {
        this(code.code(), message);
    }

    /** The numeric error code of the C ABI. */
    public int code() {
        return code;
    }

    /** The error code as an enum ({@link ErrorCode#INTERNAL} for codes this version does not know). */
    public ErrorCode errorCode() {
        return ErrorCode.of(code);
    }
}
