package io.zkml.prover;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/** What {@link Groth16Prover} and {@link PlonkProver} share: the JSON of the native results. */
final class Provers {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Provers() {
    }

    static ConstraintSystem constraintSystem(long handle) {
        try {
            JsonNode n = parse(NativeBridge.constraintSystemInfo(handle));
            Map<String, Integer> byOp = new LinkedHashMap<>();
            JsonNode ops = n.get("constraintsByOp");
            if (ops != null && ops.isObject()) {
                for (Map.Entry<String, JsonNode> e : ops.properties()) {
                    byOp.put(e.getKey(), e.getValue().asInt());
                }
            }
            JsonNode system = n.get("provingSystem");
            return new ConstraintSystem(handle, n.get("constraints").asInt(), n.get("publicInputs").asInt(),
                    n.get("inputSize").asInt(), n.get("outputSize").asInt(), n.get("circuitSha256").asString(), byOp,
                    system == null ? ProvingSystem.GROTH16 : ProvingSystem.of(system.asString()));
        } catch (RuntimeException e) {
            NativeBridge.free(handle);
            throw e;
        }
    }

    static Proof proof(String json) {
        JsonNode n = parse(json);
        List<BigInteger> outputs = new ArrayList<>();
        for (JsonNode o : n.get("outputs")) {
            outputs.add(new BigInteger(o.asString()));
        }
        List<String> publicInputs = new ArrayList<>();
        for (JsonNode o : n.get("publicInputs")) {
            publicInputs.add(o.asString());
        }
        String proofHex = n.get("proofHex").asString();
        byte[] proof = HexFormat.of().parseHex(proofHex.substring(2));
        List<String> commitments = new ArrayList<>();
        if (n.has("commitments")) {
            for (JsonNode o : n.get("commitments")) {
                commitments.add(o.asString());
            }
        }
        return new Proof(outputs, publicInputs, proof, proofHex, n.get("calldataHex").asString(),
                n.get("witnessMillis").asLong(), n.get("proveMillis").asLong(),
                ProvingSystem.of(n.get("provingSystem").asString()), n.get("circuitSha256").asString(), commitments);
    }

    static SetupResult setupResult(String json) {
        JsonNode n = parse(json);
        return new SetupResult(n.get("setupMillis").asLong(), n.get("verifyingKeySha256").asString(),
                ProvingSystem.of(n.get("provingSystem").asString()), n.get("trust").asString(),
                text(n, "srsSha256"), n.path("srsPower").asInt(0));
    }

    static KeyInfo keyInfo(String json) {
        JsonNode n = parse(json);
        return new KeyInfo(n.get("kind").asString(), ProvingSystem.of(n.get("provingSystem").asString()),
                n.get("circuitSha256").asString(), n.get("trust").asString(), text(n, "srsSha256"),
                n.path("srsPower").asInt(0), n.path("srsSize").asInt(0));
    }

    static PtauInfo ptauInfo(String json) {
        JsonNode n = parse(json);
        return new PtauInfo(n.get("power").asInt(), n.get("ceremonyPower").asInt(), n.get("g1Powers").asInt(),
                n.get("maxDomainSize").asLong(), n.get("sha256").asString());
    }

    /**
     * Refuses a proof made for another proving system or circuit than the verifying key's, before
     * any native call: the bytes might even decode, but they would be checked against the wrong key.
     */
    static void requireSameCircuit(VerifyingKey vk, Proof proof) {
        KeyInfo k = vk.info();
        if (proof.provingSystem() != k.provingSystem()) {
            throw new NativeProverException(ErrorCode.INVALID_ARGUMENT, "the proof is a " + proof.provingSystem()
                    + " proof, the verifying key is a " + k.provingSystem() + " key");
        }
        if (!proof.circuitSha256().equals(k.circuitSha256())) {
            throw new NativeProverException(ErrorCode.INVALID_ARGUMENT, "the proof is for circuit " + proof.circuitSha256()
                    + ", the verifying key for circuit " + k.circuitSha256());
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || v.asString().isEmpty() ? null : v.asString();
    }

    static String decimalArray(List<BigInteger> values) {
        ArrayNode a = JSON.createArrayNode();
        for (int i = 0; i < values.size(); i++) {
            BigInteger v = values.get(i);
            if (v == null) {
                throw new NativeProverException(ErrorCode.INVALID_ARGUMENT, "value " + i + " is null");
            }
            a.add(v.toString());
        }
        return JSON.writeValueAsString(a);
    }

    static List<BigInteger> fieldElements(List<String> decimals) {
        List<BigInteger> out = new ArrayList<>(decimals.size());
        for (String d : decimals) {
            out.add(new BigInteger(d));
        }
        return out;
    }

    static String jsonString(String s) {
        return JSON.writeValueAsString(s);
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JacksonException e) {
            throw new NativeProverException(ErrorCode.INTERNAL, "native library returned invalid JSON: " + e.getMessage());
        }
    }

    /** The inputs_json of zkml_prove: {"inputs": [...], "salt"?: "...", "outputSalt"?: "..."} (docs/native-abi.md). */
    static String arguments(List<BigInteger> inputs, BigInteger salt, BigInteger outputSalt) {
        return arguments(inputs, salt, outputSalt, null, null);
    }

    /** With the private weights ({@code "weights": {"<tensor>": [...]}}) and their salt ({@code "weightsSalt"}; issue 8). */
    static String arguments(List<BigInteger> inputs, BigInteger salt, BigInteger outputSalt,
                            java.util.Map<String, List<BigInteger>> weights, BigInteger weightsSalt) {
        StringBuilder b = new StringBuilder("{\"inputs\":").append(decimalArray(inputs));
        if (salt != null) {
            b.append(",\"salt\":\"").append(salt).append('"');
        }
        if (outputSalt != null) {
            b.append(",\"outputSalt\":\"").append(outputSalt).append('"');
        }
        if (weights != null) {
            b.append(",\"weights\":{");
            boolean first = true;
            for (java.util.Map.Entry<String, List<BigInteger>> e : weights.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                b.append('"').append(e.getKey()).append("\":").append(decimalArray(e.getValue()));
            }
            b.append('}');
        }
        if (weightsSalt != null) {
            b.append(",\"weightsSalt\":\"").append(weightsSalt).append('"');
        }
        return b.append('}').toString();
    }
}
