package io.zkml.api.security;

import java.util.Optional;

/**
 * The {@link Caller} of the request this thread serves, set by {@link AccessInterceptor} before the
 * controller runs and cleared after the response. Read by the list endpoints (whose resources to
 * show) and by {@link OwnerTransactionManager} (whose rows a transaction inserts). Empty on the job
 * workers' threads.
 */
public final class RequestOwner {

    private static final ThreadLocal<Caller> CURRENT = new ThreadLocal<>();

    private RequestOwner() {
    }

    public static Optional<Caller> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** The owner of the current request; throws if none is bound (a bug: an endpoint outside the interceptor). */
    public static String owner() {
        Caller c = CURRENT.get();
        if (c == null) {
            throw new IllegalStateException("no caller is bound to this thread");
        }
        return c.owner();
    }

    static void set(Caller caller) {
        CURRENT.set(caller);
    }

    static void clear() {
        CURRENT.remove();
    }
}
