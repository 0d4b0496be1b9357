package io.zkml.cli;

/**
 * An error the command reports as one line ({@code zkml: error: <message>}) with an exit code of
 * {@link Zkml}: {@link Zkml#USAGE}, {@link Zkml#BAD_INPUT}, {@link Zkml#INVALID}, {@link Zkml#INTERNAL} or
 * {@link Zkml#UNSUPPORTED}.
 */
final class CliException extends RuntimeException {

    private final int exitCode;

    CliException(int exitCode, String message) {
        this(exitCode, message, null);
    }

    CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }

    static CliException badInput(String message) {
        return new CliException(Zkml.BAD_INPUT, message);
    }

    static CliException badInput(String message, Throwable cause) {
        return new CliException(Zkml.BAD_INPUT, message, cause);
    }

    static CliException usage(String message) {
        return new CliException(Zkml.USAGE, message);
    }
}
