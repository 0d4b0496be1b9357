package io.zkml.compiler;

/**
 * The real-valued range {@code [min, max]} a feature is allowed to take. Inputs outside the
 * range are rejected before proving; the compiler derives the integer input bounds from it.
 */
public record FeatureRange(double min, double max) {
    public FeatureRange {
        if (!Double.isFinite(min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException("feature range bounds must be finite, got [" + min + ", " + max + "]");
        }
        if (min > max) {
            throw new IllegalArgumentException("feature range min " + min + " is greater than max " + max);
        }
    }
}
