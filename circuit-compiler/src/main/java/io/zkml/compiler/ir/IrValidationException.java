package io.zkml.compiler.ir;

/** An IR document that breaks a rule of docs/ir-format.md. The message names the rule and where. */
public final class IrValidationException extends Exception {
    public IrValidationException(String message) {
        super(message);
    }

    public IrValidationException(String message, Throwable cause) {
        super(message, cause);
    }
}
