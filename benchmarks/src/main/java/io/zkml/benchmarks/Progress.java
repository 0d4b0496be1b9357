package io.zkml.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The console progress of a run on stderr: measurements done / total, the current model and step, the
 * elapsed time and an estimate of the time left (the mean time per finished measurement × those left).
 * On a terminal ({@code System.console() != null}) it is a bar redrawn in place under the log lines; else
 * (CI logs, pipes) one plain line per step.
 */
final class Progress {

    private static final int BAR_WIDTH = 24;

    private final PrintStream err;
    private final boolean terminal;
    private final int total;
    private final LongSupplier clock;
    private final long startNanos;
    private int done;
    private String current = "";
    private String step = "";
    private boolean barShown;

    /**
     * @param terminal draw a bar in place (with {@code \r}) instead of plain lines
     * @param clock nanoseconds ({@link System#nanoTime} outside tests)
     */
    Progress(PrintStream err, boolean terminal, int total, LongSupplier clock) {
        this.err = err;
        this.terminal = terminal;
        this.total = total;
        this.clock = clock;
        this.startNanos = clock.getAsLong();
    }

    /** A bar when this JVM has a console, plain lines otherwise. */
    static Progress forConsole(PrintStream err, int total) {
        return new Progress(err, System.console() != null, total, System::nanoTime);
    }

    /** Starts the next measurement. */
    synchronized void start(String label) {
        current = label;
        step = "start";
        show();
    }

    /** The step the current measurement is at (e.g. {@code setup}). */
    synchronized void step(String name) {
        step = name;
        show();
    }

    /** The current measurement is finished (measured, refused or failed). */
    synchronized void finish() {
        done++;
        step = "done";
        show();
        if (terminal && done == total) {
            err.println();
            barShown = false;
        }
    }

    /** A log stream that keeps the bar below the lines written to it. */
    PrintStream log() {
        return new PrintStream(new LineOut(), true, StandardCharsets.UTF_8);
    }

    synchronized void logLine(String line) {
        if (terminal && barShown) {
            err.print("\r\033[2K");
        }
        err.println(line);
        if (terminal) {
            drawBar();
        }
    }

    private void show() {
        if (terminal) {
            drawBar();
        } else {
            err.println("zkml bench: " + status());
        }
    }

    private void drawBar() {
        int filled = total == 0 ? BAR_WIDTH : done * BAR_WIDTH / total;
        String bar = "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled);
        err.print("\r\033[2K[" + bar + "] " + status());
        err.flush();
        barShown = true;
    }

    /** {@code [3/10] synthetic-32: setup, elapsed 0:12, ETA 0:28} */
    String status() {
        long elapsed = clock.getAsLong() - startNanos;
        String eta = done == 0 ? "?" : clock(Duration.ofNanos(elapsed / done * (total - done)));
        return String.format(Locale.ROOT, "[%d/%d] %s: %s, elapsed %s, ETA %s", done, total, current, step,
                clock(Duration.ofNanos(elapsed)), eta);
    }

    static String clock(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** Collects bytes up to a newline, then logs the line. */
    private final class LineOut extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                logLine(line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }
    }
}
