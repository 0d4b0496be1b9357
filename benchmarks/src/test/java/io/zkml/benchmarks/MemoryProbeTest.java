package io.zkml.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class MemoryProbeTest {

    @Test
    void parsesKilobyteLinesOfProcStatus() {
        List<String> status = List.of("Name:\tjava", "VmPeak:\t 5000000 kB", "VmHWM:\t  123456 kB", "VmRSS:\t   100000 kB");
        assertThat(MemoryProbe.parseStatus(status, "VmHWM")).hasValue(123456);
        assertThat(MemoryProbe.parseStatus(status, "VmRSS")).hasValue(100000);
        assertThat(MemoryProbe.parseStatus(status, "VmSwap")).isEmpty();
    }

    @Test
    void heapPeakCoversAnAllocationMadeInTheWindow() {
        MemoryProbe probe = new MemoryProbe();
        probe.reset();
        byte[] block = new byte[32 * 1024 * 1024];
        block[block.length - 1] = 1;
        MemoryProbe.Peak peak = probe.peak();
        assertThat(peak.heapPeakBytes()).isGreaterThanOrEqualTo(block.length);
        if (peak.rssPeakBytes() != null) {
            assertThat(peak.rssPeakBytes()).isPositive();
            assertThat(peak.rssAtStartBytes()).isPositive();
        }
    }
}
