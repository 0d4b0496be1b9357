package io.zkml.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine a benchmark ran on.
 *
 * @param cpuModel {@code model name} of {@code /proc/cpuinfo}, or null
 * @param availableProcessors what the JVM sees ({@link Runtime#availableProcessors()}): cores or a
 *     container's CPU limit
 * @param totalMemoryBytes physical memory (or the container's limit), or null
 * @param osName {@code os.name}
 * @param osVersion {@code os.version} (the kernel on Linux)
 * @param osArch {@code os.arch}
 * @param javaVersion {@code java.runtime.version}
 * @param javaVendor {@code java.vendor}
 * @param jvmMaxHeapBytes {@link Runtime#maxMemory()}
 */
public record MachineInfo(String cpuModel, int availableProcessors, Long totalMemoryBytes, String osName,
                          String osVersion, String osArch, String javaVersion, String javaVendor,
                          long jvmMaxHeapBytes) {

    public static MachineInfo current() {
        Long total = null;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            total = os.getTotalMemorySize();
        }
        return new MachineInfo(readCpuModel(), Runtime.getRuntime().availableProcessors(), total,
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"),
                System.getProperty("java.runtime.version"), System.getProperty("java.vendor"),
                Runtime.getRuntime().maxMemory());
    }

    private static String readCpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String line : lines) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | SecurityException e) {
            // not Linux
        }
        return null;
    }
}
