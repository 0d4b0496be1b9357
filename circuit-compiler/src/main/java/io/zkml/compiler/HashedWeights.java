package io.zkml.compiler;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The private weights of a circuit with hashed weights (issue 8), as the service stores them
 * beside the IR (which holds none of their values):
 * {@code {"format": "zkml-weights", "version": 1, "circuitHash": "<hex>", "tensors": {"<name>": ["<decimal>", ...], ...}}},
 * the tensors in the IR's tensor order. The circuit hash ties the file to its IR.
 */
public final class HashedWeights {

    public static final String FORMAT = "zkml-weights";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private HashedWeights() {
    }

    /** The bytes of the weights of {@code circuit} (which must have hashed weights and hold their values). */
    public static byte[] write(CompiledCircuit circuit) {
        if (circuit.weights() == null) {
            throw new IllegalArgumentException("circuit " + circuit.circuitHash() + " holds no hashed weights");
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", 1);
        root.put("circuitHash", circuit.circuitHash());
        ObjectNode ts = root.putObject("tensors");
        for (Map.Entry<String, List<BigInteger>> e : circuit.weights().entrySet()) {
            ArrayNode a = ts.putArray(e.getKey());
            e.getValue().forEach(v -> a.add(v.toString()));
        }
        return JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads weights written by {@link #write}; {@code circuitHash} must be the file's.
     *
     * @throws IllegalArgumentException malformed, or for another circuit
     */
    public static Map<String, List<BigInteger>> read(byte[] bytes, String circuitHash) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("weights: not JSON: " + e.getOriginalMessage());
        }
        if (!FORMAT.equals(root.path("format").asString("")) || root.path("version").asInt(0) != 1) {
            throw new IllegalArgumentException("weights: not a zkml-weights version 1 document");
        }
        if (circuitHash != null && !circuitHash.equals(root.path("circuitHash").asString(""))) {
            throw new IllegalArgumentException("weights: written for circuit " + root.path("circuitHash").asString("")
                    + ", not " + circuitHash);
        }
        Map<String, List<BigInteger>> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.path("tensors").properties()) {
            List<BigInteger> vs = new ArrayList<>();
            for (JsonNode v : e.getValue()) {
                vs.add(new BigInteger(v.asString()));
            }
            out.put(e.getKey(), List.copyOf(vs));
        }
        return out;
    }
}
