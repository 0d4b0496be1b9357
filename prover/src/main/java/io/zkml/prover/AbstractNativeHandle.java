package io.zkml.prover;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Owns one native handle. {@link #close()} frees it at most once; a handle that is never closed
 * is freed when this object becomes unreachable (a safety net, not the normal path).
 */
abstract sealed class AbstractNativeHandle implements NativeHandle
        permits ConstraintSystem, ProvingKey, VerifyingKey {

    private static final Cleaner CLEANER = Cleaner.create();

    /** Shared between this object and its cleaning action; 0 once freed. */
    private final AtomicLong handle;
    private final Cleaner.Cleanable cleanable;
    private final String kind;

    AbstractNativeHandle(long handle, String kind) {
        if (handle == 0) {
            throw new NativeProverException(ErrorCode.INTERNAL, "native library returned a null " + kind + " handle");
        }
        this.handle = new AtomicLong(handle);
        this.kind = kind;
        AtomicLong shared = this.handle;
        this.cleanable = CLEANER.register(this, () -> free(shared));
    }

    private static void free(AtomicLong shared) {
        long h = shared.getAndSet(0);
        if (h != 0) {
            NativeBridge.free(h);
        }
    }

    /**
     * The live native handle.
     *
     * @throws NativeProverException with {@link ErrorCode#UNKNOWN_HANDLE} if closed
     */
    final long handle() {
        long h = handle.get();
        if (h == 0) {
            throw new NativeProverException(ErrorCode.UNKNOWN_HANDLE, kind + " handle is closed");
        }
        return h;
    }

    /** Whether {@link #close()} has been called. */
    public final boolean isClosed() {
        return handle.get() == 0;
    }

    @Override
    public final void close() {
        cleanable.clean();
    }

    @Override
    public String toString() {
        return kind + (isClosed() ? "[closed]" : "[" + handle.get() + "]");
    }
}
