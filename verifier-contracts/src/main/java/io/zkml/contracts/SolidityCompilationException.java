package io.zkml.contracts;

import java.util.List;

/** solc reported errors; {@link #errors()} has solc's formatted messages. */
public class SolidityCompilationException extends RuntimeException {

    private final List<String> errors;

    public SolidityCompilationException(String message, List<String> errors) {
        super(errors.isEmpty() ? message : message + ":\n" + String.join("\n", errors));
        this.errors = List.copyOf(errors);
    }

    /** solc's formatted error messages (severity {@code error}), in solc's order. */
    public List<String> errors() {
        return errors;
    }
}
