package io.zkml.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class ProgressTest {

    private final AtomicLong now = new AtomicLong();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void plainLinesWithoutATerminal() {
        Progress p = new Progress(err, false, 4, now::get);
        p.start("synthetic-8");
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        p.step("setup");
        p.finish();
        p.log().println("a log line");
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).doesNotContain("\r");
        assertThat(out).contains("zkml bench: [0/4] synthetic-8: start, elapsed 0:00, ETA ?\n");
        assertThat(out).contains("zkml bench: [0/4] synthetic-8: setup, elapsed 0:10, ETA ?\n");
        // one of four done in 10 s: 30 s left
        assertThat(out).contains("zkml bench: [1/4] synthetic-8: done, elapsed 0:10, ETA 0:30\n");
        assertThat(out).contains("a log line\n");
    }

    @Test
    void aBarRedrawnInPlaceOnATerminal() {
        Progress p = new Progress(err, true, 2, now::get);
        p.start("forest-2x2x4");
        p.log().println("  forest-2x2x4: 40 constraints");
        now.addAndGet(Duration.ofSeconds(65).toNanos());
        p.finish();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("\r\033[2K[........................] [0/2] forest-2x2x4: start");
        // the log line clears the bar, is printed, and the bar comes back under it
        assertThat(out).contains("\r\033[2K  forest-2x2x4: 40 constraints\n\r\033[2K[");
        assertThat(out).contains("[############............] [1/2] forest-2x2x4: done, elapsed 1:05, ETA 1:05");
    }

    @Test
    void clockFormat() {
        assertThat(Progress.clock(Duration.ofSeconds(59))).isEqualTo("0:59");
        assertThat(Progress.clock(Duration.ofSeconds(3725))).isEqualTo("1:02:05");
    }
}
