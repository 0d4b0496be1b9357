package io.zkml.prover;

/** A Groth16 proving key loaded in the native library. Thread-safe: many proofs may use it at once. */
public final class ProvingKey extends AbstractNativeHandle {
    ProvingKey(long handle) {
        super(handle, "proving key");
    }
}
