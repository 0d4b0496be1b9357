package io.zkml.prover;

/** A Groth16 verifying key loaded in the native library. Thread-safe. */
public final class VerifyingKey extends AbstractNativeHandle {
    VerifyingKey(long handle) {
        super(handle, "verifying key");
    }
}
