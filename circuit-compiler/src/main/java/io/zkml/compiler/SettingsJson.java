package io.zkml.compiler;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/**
 * {@link QuantizationSettings} from JSON (a Jackson tree): the object the service's {@code POST
 * /v1/models/{id}/circuits} takes as {@code quantization} and {@code examples/*}/quantization.json
 * holds, {@code {"inputScale", "weightScale", "inputRanges": [{"min", "max"}], "sampleInputs": [[...]],
 * "target": "accuracy"|"resources", "tolerance"}} (the last two: network calibration),
 * every key optional (absent or null: the compiler chooses). The service and {@code zkml compile}
 * both read settings here.
 */
public final class SettingsJson {

    /** The keys of a settings object. */
    public static final Set<String> KEYS = Set.of("inputScale", "weightScale", "inputRanges", "sampleInputs", "target",
            "tolerance");

    private SettingsJson() {
    }

    /**
     * Reads and checks what can be checked without compiling: the keys, the types, scales within
     * the compiler's limits, finite ranges with {@code min <= max}, finite sample values; and, when
     * {@code features} is not null, one range and one value per sample row for each feature.
     *
     * @param n the settings object; null or a JSON null gives {@link QuantizationSettings#defaults()}
     * @param features the model's features in order, or null when not known yet
     * @throws IllegalArgumentException with a message for the user (no prefix: the caller adds where)
     */
    public static QuantizationSettings read(JsonNode n, List<String> features) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return QuantizationSettings.defaults();
        }
        if (!n.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        for (String k : n.propertyNames()) {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown key \"" + k + "\" (known: inputScale, weightScale, inputRanges, sampleInputs, target, tolerance)");
            }
        }
        Integer inputScale = optionalInt(n.get("inputScale"), "inputScale");
        Integer weightScale = optionalInt(n.get("weightScale"), "weightScale");
        if (inputScale != null && (inputScale < 0 || inputScale > CircuitCompiler.MAX_INPUT_SCALE)) {
            throw new IllegalArgumentException("inputScale must be in [0, " + CircuitCompiler.MAX_INPUT_SCALE
                    + "] bits, got " + inputScale);
        }
        if (weightScale != null && (weightScale < 0 || weightScale > CircuitCompiler.MAX_WEIGHT_SCALE)) {
            throw new IllegalArgumentException("weightScale must be in [0, " + CircuitCompiler.MAX_WEIGHT_SCALE
                    + "] bits, got " + weightScale);
        }
        List<FeatureRange> ranges = null;
        JsonNode r = n.get("inputRanges");
        if (r != null && !r.isNull()) {
            if (!r.isArray()) {
                throw new IllegalArgumentException("inputRanges must be an array of {\"min\", \"max\"}");
            }
            if (features != null && r.size() != features.size()) {
                throw new IllegalArgumentException("inputRanges has " + r.size() + " entries; the model has "
                        + features.size() + " features " + features);
            }
            ranges = new ArrayList<>(r.size());
            for (int i = 0; i < r.size(); i++) {
                JsonNode e = r.get(i);
                String where = "inputRanges[" + i + "]" + (features == null ? "" : " (feature \"" + features.get(i) + "\")");
                if (e == null || !e.isObject() || !e.path("min").isNumber() || !e.path("max").isNumber()) {
                    throw new IllegalArgumentException(where + " needs both min and max");
                }
                double min = e.get("min").asDouble();
                double max = e.get("max").asDouble();
                if (!Double.isFinite(min) || !Double.isFinite(max)) {
                    throw new IllegalArgumentException(where + " must be finite, got [" + min + ", " + max + "]");
                }
                if (min > max) {
                    throw new IllegalArgumentException(where + " has min " + min + " greater than max " + max);
                }
                ranges.add(new FeatureRange(min, max));
            }
        }
        List<double[]> samples = null;
        JsonNode s = n.get("sampleInputs");
        if (s != null && !s.isNull()) {
            if (!s.isArray()) {
                throw new IllegalArgumentException("sampleInputs must be an array of arrays of numbers");
            }
            samples = new ArrayList<>(s.size());
            for (int k = 0; k < s.size(); k++) {
                JsonNode row = s.get(k);
                if (row == null || !row.isArray()) {
                    throw new IllegalArgumentException("sampleInputs[" + k + "] must be an array of numbers");
                }
                if (features != null && row.size() != features.size()) {
                    throw new IllegalArgumentException("sampleInputs[" + k + "] has " + row.size()
                            + " values; the model has " + features.size() + " features " + features);
                }
                double[] values = new double[row.size()];
                for (int i = 0; i < row.size(); i++) {
                    JsonNode v = row.get(i);
                    if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
                        throw new IllegalArgumentException("sampleInputs[" + k + "][" + i + "] must be a finite number, got " + v);
                    }
                    values[i] = v.asDouble();
                }
                samples.add(values);
            }
        }
        String target = null;
        JsonNode t = n.get("target");
        if (t != null && !t.isNull()) {
            if (!t.isString() || !(t.stringValue().equals(QuantizationSettings.TARGET_ACCURACY)
                    || t.stringValue().equals(QuantizationSettings.TARGET_RESOURCES))) {
                throw new IllegalArgumentException("target must be \"accuracy\" or \"resources\", got " + t);
            }
            target = t.stringValue();
        }
        Double tolerance = null;
        JsonNode tol = n.get("tolerance");
        if (tol != null && !tol.isNull()) {
            if (!tol.isNumber() || !Double.isFinite(tol.asDouble()) || tol.asDouble() < 0) {
                throw new IllegalArgumentException("tolerance must be a finite number >= 0, got " + tol);
            }
            tolerance = tol.asDouble();
        }
        return new QuantizationSettings(inputScale, weightScale, ranges, samples, target, tolerance);
    }

    private static Integer optionalInt(JsonNode n, String what) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IllegalArgumentException(what + " must be an integer or null, got " + n);
        }
        return n.intValue();
    }
}
