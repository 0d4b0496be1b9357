package io.zkml.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * Peak memory of this process, where most of the proving memory is native (gnark, Go heap) and so
 * invisible to the JVM's heap counters:
 * <ul>
 *   <li>JVM heap peak: the sum of the peak usage of every heap memory pool
 *       ({@link MemoryPoolMXBean#getPeakUsage()}); pools peak at different moments, so this is an
 *       upper bound of the true heap peak.</li>
 *   <li>Process peak RSS: {@code VmHWM} of {@code /proc/self/status} (Linux): Java heap, Go heap,
 *       native buffers and code together.</li>
 * </ul>
 * {@link #reset()} starts a new measurement window: it resets the pool peaks and, where the kernel
 * allows it, the RSS high-water mark ({@code echo 5 > /proc/self/clear_refs}, Linux ≥ 4.0). The
 * kernel restarts the high-water mark at the current RSS, not at zero: the JVM, the native library
 * and whatever the JVM and the Go runtime kept from earlier work are in it. The RSS at the window's
 * start is recorded too, so that the growth within the window can be told apart.
 */
public final class MemoryProbe {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    /**
     * One window's peaks.
     *
     * @param heapPeakBytes sum of the heap pools' peak usage
     * @param rssPeakBytes {@code VmHWM}, or null where {@code /proc} is not available
     * @param rssAtStartBytes {@code VmRSS} right after the reset (the level the peak starts from), or
     *     null where {@code /proc} is not available
     * @param rssPeakSinceReset whether the RSS high-water mark was reset at the window's start (if
     *     not, it is the peak since the process started)
     */
    public record Peak(long heapPeakBytes, Long rssPeakBytes, Long rssAtStartBytes, boolean rssPeakSinceReset) {
    }

    private boolean rssReset;
    private Long rssAtStart;

    /** Starts a new window: a GC, then the peaks are reset. */
    public void reset() {
        System.gc();
        for (MemoryPoolMXBean pool : heapPools()) {
            pool.resetPeakUsage();
        }
        rssReset = resetRssPeak();
        rssAtStart = currentRssBytes();
    }

    /** The peaks since the last {@link #reset()}. */
    public Peak peak() {
        long heap = 0;
        for (MemoryPoolMXBean pool : heapPools()) {
            heap += pool.getPeakUsage().getUsed();
        }
        OptionalLong rss = statusKilobytes("VmHWM");
        return new Peak(heap, rss.isPresent() ? rss.getAsLong() * 1024 : null, rssAtStart, rssReset);
    }

    /** The current resident set size ({@code VmRSS}), or null where {@code /proc} is not available. */
    public static Long currentRssBytes() {
        OptionalLong rss = statusKilobytes("VmRSS");
        return rss.isPresent() ? rss.getAsLong() * 1024 : null;
    }

    private static List<MemoryPoolMXBean> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isValid())
                .toList();
    }

    private static boolean resetRssPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** A {@code kB} line of {@code /proc/self/status}, e.g. {@code VmHWM:   123456 kB}. */
    static OptionalLong statusKilobytes(String key) {
        try {
            return parseStatus(Files.readAllLines(STATUS), key);
        } catch (IOException | SecurityException e) {
            return OptionalLong.empty();
        }
    }

    static OptionalLong parseStatus(List<String> lines, String key) {
        for (String line : lines) {
            if (line.startsWith(key + ":")) {
                String[] parts = line.substring(key.length() + 1).trim().split("\\s+");
                try {
                    return OptionalLong.of(Long.parseLong(parts[0]));
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }
}
