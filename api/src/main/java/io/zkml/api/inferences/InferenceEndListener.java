package io.zkml.api.inferences;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import io.zkml.api.runtime.RuntimeSettings;

/**
 * Issue 9 (ADR 0027): in a process that serves the API, one connection LISTENs on
 * {@value #CHANNEL} (V46's trigger: an inference ended, payload its id) and wakes the requests that
 * wait for it ({@link InferenceWaiters}). While the connection is down (it is opened again after a
 * pause) waiting requests re-read their row every {@link #FALLBACK_POLL_MILLIS} ms instead.
 */
@Component
public class InferenceEndListener implements SmartLifecycle {

    /** The channel of V46's trigger. */
    public static final String CHANNEL = "zkml_inference_ended";
    /** How often a waiting request re-reads its row while no connection listens. */
    public static final long FALLBACK_POLL_MILLIS = 100;
    /** How often it re-reads it anyway (a notification lost with a dropped connection). */
    public static final long SAFETY_POLL_MILLIS = 1000;

    private static final Logger log = LoggerFactory.getLogger(InferenceEndListener.class);
    private static final int WAIT_MILLIS = 1000;
    private static final long RETRY_MILLIS = 2000;

    private final DataSource dataSource;
    private final InferenceWaiters waiters;
    private final boolean enabled;
    private final AtomicBoolean active = new AtomicBoolean();
    private volatile boolean listening;
    private Thread thread;

    InferenceEndListener(DataSource dataSource, InferenceWaiters waiters, org.springframework.core.env.Environment env) {
        this.dataSource = dataSource;
        this.waiters = waiters;
        this.enabled = RuntimeSettings.role(env).servesApi();
    }

    /** How long a waiting request may sleep before it re-reads its row. */
    long pollMillis() {
        return listening ? SAFETY_POLL_MILLIS : FALLBACK_POLL_MILLIS;
    }

    /** Whether the LISTEN connection is up now. */
    public boolean listening() {
        return listening;
    }

    @Override
    public void start() {
        if (!enabled || !active.compareAndSet(false, true)) {
            return;
        }
        thread = Thread.ofPlatform().name("zkml-inference-end-listener").daemon().start(this::loop);
    }

    @Override
    public void stop() {
        if (!active.compareAndSet(true, false)) {
            return;
        }
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return active.get();
    }

    /** Stops before the data source goes away, with the job listener. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1023;
    }

    private void loop() {
        while (active.get()) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                listening = true;
                while (active.get()) {
                    PGNotification[] got = pg.getNotifications(WAIT_MILLIS);
                    if (got != null) {
                        for (PGNotification n : got) {
                            try {
                                waiters.ended(UUID.fromString(n.getParameter()));
                            } catch (IllegalArgumentException e) {
                                log.debug("ignoring notification {}", n.getParameter());
                            }
                        }
                    }
                    if (Thread.interrupted()) {
                        break;
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!active.get()) {
                    break;
                }
                log.warn("inference end listener: {}; waiting requests poll every {} ms until it is back",
                        e.getMessage(), FALLBACK_POLL_MILLIS);
            } finally {
                listening = false;
            }
            try {
                Thread.sleep(RETRY_MILLIS);
            } catch (InterruptedException e) {
                break;
            }
        }
    }
}
