package io.zkml.prover;

/**
 * An object that lives in the native library (a Go value behind a {@code runtime/cgo.Handle}).
 * Closing frees the native handle; closing twice is harmless. Using a closed handle throws
 * {@link NativeProverException} with {@link ErrorCode#UNKNOWN_HANDLE}, never crashes the JVM.
 */
public interface NativeHandle extends AutoCloseable {
    /** Frees the native handle. Idempotent. */
    @Override
    void close();
}
