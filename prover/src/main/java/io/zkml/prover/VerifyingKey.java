package io.zkml.prover;

import java.lang.ref.Reference;

/** A verifying key loaded in the native library (Groth16 or PLONK, {@link #info()}). Thread-safe. */
public final class VerifyingKey extends AbstractNativeHandle {
    private volatile KeyInfo info;

    VerifyingKey(long handle) {
        super(handle, "verifying key");
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
