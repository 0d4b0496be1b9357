package io.zkml.api.support;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

import org.springframework.jdbc.core.simple.JdbcClient;

import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;

/**
 * The free-form {@code metadata} map of a request (issue 9): inferences, batches, model uploads and
 * circuits take the same one, stored in the row's {@code metadata jsonb} column (V17, V42) and shown
 * as stored. At most {@value #MAX_KEYS} keys ({@code [A-Za-z0-9_.:-]}, 1..{@value #MAX_KEY}
 * characters) with string values of at most {@value #MAX_VALUE} characters, none with control
 * characters; anything else is a 400 {@code invalid-request} with {@code field: metadata}.
 */
public final class Metadata {

    public static final int MAX_KEYS = 32;
    public static final int MAX_KEY = 64;
    public static final int MAX_VALUE = 512;
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final TypeReference<Map<String, String>> MAP = new TypeReference<>() { };
    private static final java.util.Set<String> TABLES = java.util.Set.of("models", "circuits", "inferences");

    private Metadata() {
    }

    /** The {@code metadata} member: null if absent, else the checked map (sorted by key). */
    public static Map<String, String> parse(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isObject() || node.size() > MAX_KEYS) {
            throw bad();
        }
        Map<String, String> m = new TreeMap<>();
        for (var e : node.properties()) {
            JsonNode v = e.getValue();
            if (!KEY.matcher(e.getKey()).matches() || !v.isString() || v.stringValue().length() > MAX_VALUE
                    || v.stringValue().chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                throw bad();
            }
            m.put(e.getKey(), v.stringValue());
        }
        return m;
    }

    /** A multipart form field holding the map as JSON text (model uploads): null if absent. */
    public static Map<String, String> parseText(String text, Json json) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        JsonNode node;
        try {
            node = json.read(text, JsonNode.class);
        } catch (RuntimeException e) {
            throw bad();
        }
        return parse(node);
    }

    /** The text a request's fingerprint (idempotency) adds for its metadata: empty without. */
    public static String fingerprint(Map<String, String> metadata, Json json) {
        return metadata == null ? "" : "\nmetadata=" + json.write(metadata);
    }

    /** Stores the map on a row that has none yet (the transaction that creates it). */
    public static void store(JdbcClient jdbc, Json json, String table, java.util.UUID id, Map<String, String> metadata) {
        if (metadata != null) {
            jdbc.sql("UPDATE " + table(table) + " SET metadata = ?::jsonb WHERE id = ? AND metadata IS NULL")
                    .params(json.write(metadata), id).update();
        }
    }

    /** A row's map, or null. */
    public static Map<String, String> read(JdbcClient jdbc, Json json, String table, java.util.UUID id) {
        String s = jdbc.sql("SELECT metadata FROM " + table(table) + " WHERE id = ?").param(id)
                .query((rs, n) -> rs.getString(1)).optional().orElse(null);
        return s == null ? null : json.read(s, MAP);
    }

    private static String table(String table) {
        if (!TABLES.contains(table)) {
            throw new IllegalArgumentException(table);
        }
        return table;
    }

    private static ApiException bad() {
        return new ApiException(ProblemType.INVALID_REQUEST, "\"metadata\" must be an object of at most " + MAX_KEYS
                + " keys (letters, digits, _ . : -; at most " + MAX_KEY + " characters) with string values of at most "
                + MAX_VALUE + " characters without control characters", Map.of("field", "metadata"));
    }
}
