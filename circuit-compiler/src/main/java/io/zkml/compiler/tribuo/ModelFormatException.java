package io.zkml.compiler.tribuo;

/** An uploaded model that cannot be read. {@link #reason()} is stable; the message is for humans. */
public final class ModelFormatException extends Exception {

    /** Stable reason codes (the REST API maps them to problem types). */
    public enum Reason {
        /** No bytes at all. */
        EMPTY,
        /** More than {@link TribuoModelReader#MAX_BYTES}. */
        TOO_LARGE,
        /** A Java-serialized object stream (magic 0xACED): never deserialized. */
        JAVA_SERIALIZED,
        /** Not a Tribuo protobuf model. */
        NOT_PROTOBUF,
        /** A valid Tribuo model of a class this compiler does not support (yet). */
        UNSUPPORTED_MODEL_TYPE
    }

    private final Reason reason;

    public ModelFormatException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ModelFormatException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
