package io.zkml.api.inferences;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.node.ObjectNode;

/**
 * The body of {@code POST /v1/circuits/{id}/inferences} as read, plus what a tree loses: the keys
 * that occur more than once in an {@code "input"} object. A tree keeps the last value of a
 * duplicated key; for inputs by name that would silently pick one of two values for a feature, so
 * the reader remembers the duplicates and the service refuses them.
 *
 * @param root the body as a tree (any JSON value; the controller checks that it is an object)
 * @param duplicateInputKeys the duplicated keys of the (last) {@code "input"} member when it is an
 *     object, in the order they first repeat; empty otherwise
 */
@JsonDeserialize(using = InferenceBody.Reader.class)
record InferenceBody(JsonNode root, List<String> duplicateInputKeys) {

    static final String INPUT = "input";

    InferenceBody {
        duplicateInputKeys = List.copyOf(duplicateInputKeys);
    }

    /** Reads the body like a tree, except that it notes duplicated keys inside an {@code "input"} object. */
    static final class Reader extends ValueDeserializer<InferenceBody> {

        @Override
        public InferenceBody deserialize(JsonParser p, DeserializationContext ctxt) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                return new InferenceBody(ctxt.readTree(p), List.of());
            }
            ObjectNode root = ctxt.getNodeFactory().objectNode();
            List<String> duplicates = List.of();
            for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (INPUT.equals(name) && value == JsonToken.START_OBJECT) {
                    ObjectNode input = ctxt.getNodeFactory().objectNode();
                    Set<String> repeated = new LinkedHashSet<>();
                    for (JsonToken u = p.nextToken(); u == JsonToken.PROPERTY_NAME; u = p.nextToken()) {
                        String key = p.currentName();
                        p.nextToken();
                        JsonNode v = ctxt.readTree(p);
                        if (input.has(key)) {
                            repeated.add(key);
                        }
                        input.set(key, v);
                    }
                    root.set(name, input);
                    duplicates = List.copyOf(repeated);
                } else {
                    root.set(name, ctxt.readTree(p));
                    if (INPUT.equals(name)) {
                        duplicates = List.of();
                    }
                }
            }
            return new InferenceBody(root, duplicates);
        }

        @Override
        public Object getNullValue(DeserializationContext ctxt) {
            return new InferenceBody(ctxt.getNodeFactory().nullNode(), List.of());
        }
    }
}
