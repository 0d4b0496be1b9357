package io.zkml.compiler.ir;

import tools.jackson.databind.JsonNode;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code attributes} object of an op being read. An op's {@code read} takes the keys of its
 * table; {@link IrReader} then rejects any key that no one took. Errors name the location, e.g.
 * {@code ops[1].attributes.feature[3]}.
 */
public final class Attributes {

    /** Attribute integers: JSON integers of at most 9 digits (so |v| ≤ 2^31 − 1). */
    public static final int MAX_ABS = 999_999_999;

    private final JsonNode node;
    private final String where;
    private final Set<String> taken = new HashSet<>();

    Attributes(JsonNode node, String where) {
        this.node = node;
        this.where = where;
    }

    /** Where these attributes are, e.g. {@code "ops[1].attributes"}. */
    public String where() {
        return where;
    }

    /** The {@code int} attribute {@code key}. */
    public int integer(String key) throws IrValidationException {
        return smallInt(take(key), where + "." + key);
    }

    /** The {@code ints} attribute {@code key}. */
    public List<Integer> ints(String key) throws IrValidationException {
        JsonNode a = take(key);
        if (!a.isArray()) {
            throw new IrValidationException(where + "." + key + " must be an array of JSON integers");
        }
        List<Integer> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            out.add(smallInt(a.get(i), where + "." + key + "[" + i + "]"));
        }
        return out;
    }

    private JsonNode take(String key) throws IrValidationException {
        JsonNode n = node.get(key);
        if (n == null) {
            throw new IrValidationException(where + "." + key + " is missing");
        }
        taken.add(key);
        return n;
    }

    /** Rejects keys that the op did not take. */
    void finish() throws IrValidationException {
        for (String k : node.propertyNames()) {
            if (!taken.contains(k)) {
                throw new IrValidationException(where + ": unknown attribute \"" + IrReader.abbreviate(k) + "\"");
            }
        }
    }

    /** A JSON integer of at most 9 digits. */
    static int smallInt(JsonNode n, String where) throws IrValidationException {
        if (n == null || !n.isIntegralNumber()) {
            throw new IrValidationException(where + " must be a JSON integer, got " + IrReader.abbreviate(String.valueOf(n)));
        }
        BigInteger v = n.bigIntegerValue();
        if (v.abs().compareTo(BigInteger.valueOf(MAX_ABS)) > 0) {
            throw new IrValidationException(where + " = " + IrReader.abbreviate(v.toString())
                    + " is out of range: small integers have at most 9 digits");
        }
        return v.intValueExact();
    }
}
