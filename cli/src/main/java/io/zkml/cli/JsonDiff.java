package io.zkml.cli;

import java.util.Iterator;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/** The first difference between two JSON documents, as a path ({@code $.ops[1].attributes.shift}). */
final class JsonDiff {

    private JsonDiff() {
    }

    /** A one-line description of the first difference, or null if the trees are equal. */
    static String first(JsonNode a, JsonNode b) {
        return walk("$", a, b);
    }

    private static String walk(String path, JsonNode a, JsonNode b) {
        if (a.equals(b)) {
            return null;
        }
        if (a.isObject() && b.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> ia = a.properties().iterator();
            Iterator<Map.Entry<String, JsonNode>> ib = b.properties().iterator();
            while (ia.hasNext() && ib.hasNext()) {
                Map.Entry<String, JsonNode> ea = ia.next();
                Map.Entry<String, JsonNode> eb = ib.next();
                if (!ea.getKey().equals(eb.getKey())) {
                    return path + ": key \"" + ea.getKey() + "\" here, \"" + eb.getKey() + "\" in the published IR";
                }
                String d = walk(path + "." + ea.getKey(), ea.getValue(), eb.getValue());
                if (d != null) {
                    return d;
                }
            }
            if (ia.hasNext()) {
                return path + "." + ia.next().getKey() + ": only here, not in the published IR";
            }
            return path + "." + ib.next().getKey() + ": only in the published IR";
        }
        if (a.isArray() && b.isArray()) {
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                String d = walk(path + "[" + i + "]", a.get(i), b.get(i));
                if (d != null) {
                    return d;
                }
            }
            return path + ": " + a.size() + " elements here, " + b.size() + " in the published IR";
        }
        return path + ": " + shorten(a.toString()) + " here, " + shorten(b.toString()) + " in the published IR";
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
