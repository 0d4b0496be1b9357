package io.zkml.compiler;

/** The model cannot be compiled with these settings (overflow, bad scales, bad ranges...). */
public final class CompilationException extends Exception {
    public CompilationException(String message) {
        super(message);
    }

    public CompilationException(String message, Throwable cause) {
        super(message, cause);
    }
}
