package io.zkml.contracts;

/** Node, solc-js or anvil is missing, or failed to run. The message says what to do. */
public class ToolchainException extends RuntimeException {

    public ToolchainException(String message) {
        super(message);
    }

    public ToolchainException(String message, Throwable cause) {
        super(message, cause);
    }
}
