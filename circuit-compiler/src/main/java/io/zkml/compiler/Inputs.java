package io.zkml.compiler;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An input given by feature name ({@code {"feature": value, ...}}, every feature exactly once) turned
 * into the values in the circuit's feature order. The service's {@code POST
 * /v1/circuits/{id}/inferences} and {@code zkml prove} both take inputs this way; the values
 * themselves are not checked here (the array is checked like any other).
 */
public final class Inputs {

    private Inputs() {
    }

    /**
     * Names that are not features, or features that were not named.
     *
     * @param unknown the names that are no feature, in the order given
     * @param missing the features not named, in feature order
     * @param features the circuit's features, in order
     */
    public static final class FeatureNamesException extends IllegalArgumentException {
        private final List<String> unknown;
        private final List<String> missing;
        private final List<String> features;

        FeatureNamesException(List<String> unknown, List<String> missing, List<String> features) {
            super((unknown.isEmpty() ? "" : "unknown features " + unknown + (missing.isEmpty() ? "" : ", "))
                    + (missing.isEmpty() ? "" : "missing features " + missing) + "; the features are " + features);
            this.unknown = List.copyOf(unknown);
            this.missing = List.copyOf(missing);
            this.features = List.copyOf(features);
        }

        public List<String> unknown() {
            return unknown;
        }

        public List<String> missing() {
            return missing;
        }

        public List<String> features() {
            return features;
        }
    }

    /**
     * The values of {@code byName} in feature order.
     *
     * @param features the circuit's features, in order
     * @param byName a value for every feature (iteration order is the order unknown names are reported in)
     * @throws FeatureNamesException naming every unknown and every missing feature
     */
    public static <T> List<T> byName(List<String> features, Map<String, T> byName) {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(byName, "byName");
        Set<String> known = new HashSet<>(features);
        List<String> unknown = new ArrayList<>();
        for (String name : byName.keySet()) {
            if (!known.contains(name)) {
                unknown.add(name);
            }
        }
        List<String> missing = features.stream().filter(f -> !byName.containsKey(f)).toList();
        if (!unknown.isEmpty() || !missing.isEmpty()) {
            throw new FeatureNamesException(unknown, missing, features);
        }
        List<T> ordered = new ArrayList<>(features.size());
        for (String f : features) {
            ordered.add(byName.get(f));
        }
        return ordered;
    }

    /**
     * {@link #byName(List, Map)} for numbers: the array {@link CompiledCircuit#quantizeInput} takes.
     *
     * @throws FeatureNamesException naming every unknown and every missing feature
     */
    public static double[] array(List<String> features, Map<String, Double> byName) {
        List<Double> v = byName(features, byName);
        double[] a = new double[v.size()];
        for (int i = 0; i < a.length; i++) {
            Double d = v.get(i);
            if (d == null) {
                throw new IllegalArgumentException("feature \"" + features.get(i) + "\" has no value");
            }
            a[i] = d;
        }
        return a;
    }
}
