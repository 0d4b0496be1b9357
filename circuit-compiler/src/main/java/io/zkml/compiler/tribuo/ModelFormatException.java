package io.zkml.compiler.tribuo;

/** An uploaded model that cannot be read. {@link #reason()} is stable; the message is for humans. */
public final class ModelFormatException extends Exception {

    /** Stable reason codes (the REST API maps them to problem types). */
    public enum Reason {
        /** No bytes at all. */
        EMPTY,
        /** More than {@link TribuoModelReader#MAX_BYTES}, or a tensor, feature or output count over the fixed limits. */
        TOO_LARGE,
        /** A Java-serialized object stream (magic 0xACED): never deserialized. */
        JAVA_SERIALIZED,
        /** Not a Tribuo protobuf model. */
        NOT_PROTOBUF,
        /** A valid Tribuo model of a class this compiler does not support (yet). */
        UNSUPPORTED_MODEL_TYPE,
        /**
         * Over one of the configurable {@link io.zkml.compiler.model.ImportLimits} (tree depth,
         * ensemble members, tree nodes): see {@link #limitName()}, {@link #limitValue()},
         * {@link #actualValue()}.
         */
        LIMIT_EXCEEDED,
        /**
         * A graph (ONNX) with operators this compiler does not support: {@link #unsupportedOperators()}
         * lists every one of them, with its node.
         */
        UNSUPPORTED_OPERATOR
    }

    /** One unsupported node of a graph: its operator type (with the domain, if not the default) and its name. */
    public record UnsupportedOperator(String opType, String node) {
    }

    private final Reason reason;
    private final String limitName;
    private final long limitValue;
    private final long actualValue;
    private final java.util.List<UnsupportedOperator> unsupportedOperators;

    public ModelFormatException(Reason reason, String message) {
        this(reason, message, null);
    }

    public ModelFormatException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.limitName = null;
        this.limitValue = -1;
        this.actualValue = -1;
        this.unsupportedOperators = java.util.List.of();
    }

    private ModelFormatException(java.util.List<UnsupportedOperator> unsupported, String message) {
        super(message);
        this.reason = Reason.UNSUPPORTED_OPERATOR;
        this.limitName = null;
        this.limitValue = -1;
        this.actualValue = -1;
        this.unsupportedOperators = java.util.List.copyOf(unsupported);
    }

    /** An {@link Reason#UNSUPPORTED_OPERATOR} error listing every unsupported node (at least one). */
    public static ModelFormatException unsupportedOperators(java.util.List<UnsupportedOperator> nodes, String message) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("no unsupported operator");
        }
        return new ModelFormatException(nodes, message);
    }

    private ModelFormatException(String limitName, long limitValue, long actualValue, String message) {
        super(message);
        this.reason = Reason.LIMIT_EXCEEDED;
        this.limitName = limitName;
        this.limitValue = limitValue;
        this.actualValue = actualValue;
        this.unsupportedOperators = java.util.List.of();
    }

    /**
     * A {@link Reason#LIMIT_EXCEEDED} error; the message names the limit and both values.
     *
     * @param limitName an {@link io.zkml.compiler.model.ImportLimits} component name, e.g. {@code "maxTreeDepth"}
     * @param what      what was counted, for the message (e.g. "a tree's depth")
     * @param actual    the model's value (for a count that stopped early: a value known to exceed the limit)
     */
    public static ModelFormatException limitExceeded(String limitName, long limitValue, long actual, String what) {
        return new ModelFormatException(limitName, limitValue, actual,
                what + " is " + actual + ", over the limit " + limitName + " = " + limitValue);
    }

    public Reason reason() {
        return reason;
    }

    /** {@link Reason#LIMIT_EXCEEDED}: the name of the limit (an {@code ImportLimits} component); else null. */
    public String limitName() {
        return limitName;
    }

    /** {@link Reason#LIMIT_EXCEEDED}: the limit's value; else −1. */
    public long limitValue() {
        return limitValue;
    }

    /** {@link Reason#UNSUPPORTED_OPERATOR}: every unsupported node, in graph order; else empty. */
    public java.util.List<UnsupportedOperator> unsupportedOperators() {
        return unsupportedOperators;
    }

    /** {@link Reason#LIMIT_EXCEEDED}: the model's value that exceeds it; else −1. */
    public long actualValue() {
        return actualValue;
    }
}
