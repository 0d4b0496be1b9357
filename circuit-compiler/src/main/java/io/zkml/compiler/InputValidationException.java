package io.zkml.compiler;

/** An inference input that the circuit cannot accept. The message names feature and range. */
public final class InputValidationException extends Exception {

    /** Why the input was rejected. */
    public enum Reason {
        /** Not as many values as the model has features. */
        WRONG_COUNT("wrong_input_count"),
        /** NaN or infinite. */
        NOT_FINITE("input_not_finite"),
        /** Outside the allowed range of its feature. */
        OUT_OF_RANGE("input_out_of_range");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        /** The stable snake_case code, as used by the golden {@code *.cases.json} files. */
        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public InputValidationException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
