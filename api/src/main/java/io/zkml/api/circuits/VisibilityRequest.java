package io.zkml.api.circuits;

import java.util.List;
import java.util.Map;

import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;
import io.zkml.compiler.ir.Visibility;

/**
 * Who sees what of a circuit's proofs, as a client sends it on {@code POST /v1/models/{id}/circuits}
 * (docs/ir-format.md, "Visibility"); every field is optional.
 *
 * @param input {@code public} (default: the input values are public inputs of the proof),
 *     {@code hashed} (one Poseidon2 commitment with a secret salt replaces them, docs/commitments.md)
 *     or {@code private} (no public trace of the input; only the outputs are public)
 * @param output {@code public} (default) or {@code hashed} (issue 8: one Poseidon2 commitment to the
 *     outputs, domain {@code zkml-outputs-v1}, with its own salt, replaces them)
 * @param weights {@code fixed} (default: the weights are constants of the circuit) or {@code hashed}
 *     (issue 8: the dense weights and biases are private witness; one Poseidon2 commitment to them,
 *     domain {@code zkml-weights-v1}, with the circuit's weights salt, is a public input; linear
 *     models and networks only)
 */
public record VisibilityRequest(String input, String output, String weights) {

    /** What a circuit created without {@code visibility} (or before it existed) has. */
    public static final VisibilityRequest DEFAULT = new VisibilityRequest("public", "public", "fixed");

    /**
     * The request with defaults filled in, checked.
     *
     * @throws ApiException {@code unsupported-visibility} (422) naming the field, for a value that is
     *     unknown or not supported yet
     */
    public VisibilityRequest normalized() {
        String in = check("input", input, DEFAULT.input, List.of("public", "hashed", "private"), List.of());
        String out = check("output", output, DEFAULT.output, List.of("public", "hashed"), List.of("private"));
        String w = check("weights", weights, DEFAULT.weights, List.of("fixed", "hashed"), List.of());
        return new VisibilityRequest(in, out, w);
    }

    /** The compiler's visibility of the inputs (after {@link #normalized()}). */
    public Visibility inputVisibility() {
        return Visibility.fromIrName(input == null ? DEFAULT.input : input).orElseThrow();
    }

    /** Whether the weights are hashed (issue 8: private witness with a public commitment). */
    public boolean hashedWeights() {
        return "hashed".equals(weights);
    }

    /** The compiler's visibility of the outputs (after {@link #normalized()}). */
    public Visibility outputVisibility() {
        return Visibility.fromIrName(output == null ? DEFAULT.output : output).orElseThrow();
    }

    private static String check(String field, String value, String def, List<String> supported, List<String> later) {
        if (value == null) {
            return def;
        }
        if (supported.contains(value)) {
            return value;
        }
        Map<String, Object> members = Map.of("field", "visibility." + field, "supported", supported);
        if (later.contains(value)) {
            throw new ApiException(ProblemType.UNSUPPORTED_VISIBILITY, "visibility." + field + " '" + value
                    + "' is not supported yet; supported: " + String.join(", ", supported), members);
        }
        throw new ApiException(ProblemType.UNSUPPORTED_VISIBILITY, "visibility." + field + " '" + abbreviate(value)
                + "' is unknown; supported: " + String.join(", ", supported), members);
    }

    private static String abbreviate(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
    }
}
