package io.zkml.prover;

import java.lang.ref.Reference;

/**
 * A proving key loaded in the native library (Groth16 or PLONK, {@link #info()}). Thread-safe: many
 * proofs may use it at once.
 */
public final class ProvingKey extends AbstractNativeHandle {
    private volatile KeyInfo info;

    ProvingKey(long handle) {
        super(handle, "proving key");
    }

    /** The key's system, circuit hash and setup, from its file's header. */
    public KeyInfo info() {
        KeyInfo i = info;
        if (i == null) {
            try {
                info = i = Provers.keyInfo(NativeBridge.keyInfo(handle()));
            } finally {
                Reference.reachabilityFence(this);
            }
        }
        return i;
    }
}
