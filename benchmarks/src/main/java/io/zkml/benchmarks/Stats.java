package io.zkml.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Summary of repeated timings, in milliseconds.
 *
 * @param runs how many samples
 * @param medianMillis the median (the mean of the two middle samples when {@code runs} is even)
 * @param minMillis the fastest sample
 * @param maxMillis the slowest sample
 * @param samplesMillis every sample, in run order
 */
public record Stats(int runs, double medianMillis, double minMillis, double maxMillis, List<Double> samplesMillis) {

    public Stats {
        samplesMillis = List.copyOf(samplesMillis);
    }

    /** Summarises durations given in nanoseconds. */
    public static Stats ofNanos(List<Long> nanos) {
        List<Double> millis = new ArrayList<>(nanos.size());
        for (long n : nanos) {
            millis.add(round3(n / 1e6));
        }
        return ofMillis(millis);
    }

    /**
     * Summarises durations given in milliseconds.
     *
     * @throws IllegalArgumentException if there are no samples
     */
    public static Stats ofMillis(List<Double> millis) {
        if (millis.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        return new Stats(millis.size(), round3(median(millis)), Collections.min(millis), Collections.max(millis), millis);
    }

    /** The median: the middle sample, or the mean of the two middle samples for an even count. */
    public static double median(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double round3(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }
}
