package io.zkml.api.jobs;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Wakes this process's idle workers when a job is queued by any process: one connection LISTENs on
 * {@value JobRepository#CHANNEL} (the NOTIFY that {@link JobRepository#enqueue} sends, delivered when
 * the queuing transaction commits) and signals {@link JobSignal}. If the connection fails it is
 * opened again after a pause; meanwhile the workers' polling ({@code zkml.worker.poll-interval})
 * finds the jobs. Off with {@code zkml.worker.listen=false}.
 */
public class JobListener implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobListener.class);
    private static final int WAIT_MILLIS = 1000;
    private static final long RETRY_MILLIS = 2000;

    private final DataSource dataSource;
    private final JobSignal signal;
    private final WorkerProperties props;
    private final AtomicBoolean active = new AtomicBoolean();
    private final AtomicLong notifications = new AtomicLong();
    private volatile boolean listening;
    private Thread thread;

    public JobListener(DataSource dataSource, JobSignal signal, WorkerProperties props) {
        this.dataSource = dataSource;
        this.signal = signal;
        this.props = props;
    }

    @Override
    public void start() {
        if (!props.listen() || !active.compareAndSet(false, true)) {
            return;
        }
        thread = Thread.ofPlatform().name("zkml-job-listener").daemon().start(this::loop);
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

    /** Before the workers stop (they stop at DEFAULT_PHASE - 1024), after them at start. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1023;
    }

    /** Whether the LISTEN connection is up now. */
    public boolean listening() {
        return listening;
    }

    /** Notifications received so far. */
    public long notifications() {
        return notifications.get();
    }

    private void loop() {
        while (active.get()) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + JobRepository.CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                // a job queued while the connection was down: let the workers look now
                signal.signal();
                listening = true;
                log.info("listening for queued jobs on channel {}", JobRepository.CHANNEL);
                while (active.get()) {
                    PGNotification[] got = pg.getNotifications(WAIT_MILLIS);
                    if (got != null && got.length > 0) {
                        notifications.addAndGet(got.length);
                        signal.signal();
                    }
                    if (Thread.interrupted()) {
                        break;
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!active.get()) {
                    break;
                }
                log.warn("job listener: {}; workers poll until it is back", e.getMessage());
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
