package io.zkml.prover;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A gnark Groth16 proof over BN254 in snarkjs's file formats, so that {@code snarkjs groth16 verify
 * verification_key.json public.json proof.json} (snarkjs 0.7.6; also {@code snarkjs.groth16.verify}
 * in a browser) checks it independently of gnark. The mapping (docs/snarkjs.md):
 *
 * <ul>
 *   <li>G1 {@code (x, y)} → {@code ["x", "y", "1"]} (projective, z = 1); the point at infinity
 *       {@code (0, 0)} → {@code ["0", "1", "0"]}.
 *   <li>G2 {@code (x, y)} with gnark's {@code E2{A0, A1}} = a0 + a1·u →
 *       {@code [[x.a0, x.a1], [y.a0, y.a1], ["1", "0"]]} (snarkjs/ffjavascript write an Fp2 element
 *       as {@code [c0, c1]} = c0 + c1·u: real part first, the reverse of the EIP-197/Solidity proof
 *       layout).
 *   <li>{@code vk_alpha_1} = gnark's G1.Alpha, {@code vk_beta_2} = G2.Beta, {@code vk_gamma_2} =
 *       G2.Gamma, {@code vk_delta_2} = G2.Delta, {@code IC} = G1.K ({@code IC[0]} for the
 *       constant-one wire); both check e(A, B) = e(α, β)·e(IC₀ + Σ xᵢ·ICᵢ₊₁, γ)·e(C, δ).
 *   <li>{@code pi_a} = Ar, {@code pi_b} = Bs, {@code pi_c} = Krs; {@code public.json} = the public
 *       inputs as decimal field elements in verifier order (inputs, then outputs).
 * </ul>
 *
 * <p>Keys with commitments are refused ({@link SnarkjsUnsupportedException}): snarkjs has no
 * commitment check. This library makes none (docs/native-abi.md), so every circuit of the service
 * can be exported.
 */
public final class SnarkjsExport {

    /** The snarkjs version the format was checked against (verifier-contracts/package.json). */
    public static final String SNARKJS_VERSION = "0.7.6";

    /** The BN254 base-field modulus p. */
    public static final BigInteger P = new BigInteger(
            "21888242871839275222246405745257275088696311157297823662689037894645226208583");

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private SnarkjsExport() {
    }

    /** The three documents snarkjs reads, as JSON text. */
    public record Files(String verificationKey, String proof, String publicSignals) {
        /** File names snarkjs's documentation uses. */
        public static final String VERIFICATION_KEY = "verification_key.json";
        public static final String PROOF = "proof.json";
        public static final String PUBLIC = "public.json";

        /** Writes {@value #VERIFICATION_KEY}, {@value #PROOF} and {@value #PUBLIC} into {@code dir}. */
        public void writeTo(Path dir) {
            try {
                java.nio.file.Files.createDirectories(dir);
                java.nio.file.Files.writeString(dir.resolve(VERIFICATION_KEY), verificationKey, StandardCharsets.UTF_8);
                java.nio.file.Files.writeString(dir.resolve(PROOF), proof, StandardCharsets.UTF_8);
                java.nio.file.Files.writeString(dir.resolve(PUBLIC), publicSignals, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the snarkjs files to " + dir, e);
            }
        }
    }

    /** All three documents for a proof made with {@code vk}'s circuit. */
    public static Files export(Groth16Prover prover, VerifyingKey vk, Proof proof) {
        Objects.requireNonNull(proof, "proof");
        return export(prover, vk, proof.solidityProof(), proof.publicInputs());
    }

    /**
     * All three documents.
     *
     * @param solidityProof the 256-byte proof ({@link Proof#solidityProof()})
     * @param publicInputs decimal field elements in {@code [0, r)}, verifier order
     * @throws SnarkjsUnsupportedException for a key snarkjs cannot check
     * @throws IllegalArgumentException for a proof that is not 256 bytes, a coordinate {@code >= p},
     *     a public input outside {@code [0, r)} or a count that differs from the key's
     */
    public static Files export(Groth16Prover prover, VerifyingKey vk, byte[] solidityProof, List<String> publicInputs) {
        JsonNode points = parse(prover.verifyingKeyJson(vk));
        int n = points.get("publicInputs").asInt();
        if (publicInputs.size() != n) {
            throw new IllegalArgumentException("the verifying key takes " + n + " public inputs, got " + publicInputs.size());
        }
        return new Files(verificationKey(points), proof(solidityProof), publicSignals(publicInputs));
    }

    /** snarkjs's {@code verification_key.json} for the key. */
    public static String verificationKey(Groth16Prover prover, VerifyingKey vk) {
        return verificationKey(parse(prover.verifyingKeyJson(vk)));
    }

    /**
     * snarkjs's {@code verification_key.json} from the JSON of {@link Groth16Prover#verifyingKeyJson}.
     *
     * @throws SnarkjsUnsupportedException for a key with commitments, or not Groth16 over BN254
     */
    public static String verificationKey(String verifyingKeyJson) {
        return verificationKey(parse(verifyingKeyJson));
    }

    private static String verificationKey(JsonNode v) {
        if (!"groth16".equals(v.path("protocol").asString("")) || !"bn254".equals(v.path("curve").asString(""))) {
            throw new SnarkjsUnsupportedException("snarkjs's groth16 verify checks Groth16 over BN254 only; this key is "
                    + v.path("protocol").asString("?") + " over " + v.path("curve").asString("?"));
        }
        int commitments = v.path("commitments").asInt(-1);
        if (commitments != 0) {
            throw new SnarkjsUnsupportedException("the verifying key has " + commitments + " Pedersen commitment(s);"
                    + " snarkjs cannot check gnark's commitment (an extra pairing and a public input derived from it),"
                    + " so no snarkjs files are written. This library makes plain Groth16 only: such a key comes from elsewhere.");
        }
        JsonNode k = v.get("k");
        int n = v.get("publicInputs").asInt();
        if (k == null || !k.isArray() || k.size() != n + 1) {
            throw new IllegalArgumentException("the key has " + (k == null ? 0 : k.size()) + " K points for " + n + " public inputs");
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("protocol", "groth16");
        o.put("curve", "bn128");
        o.put("nPublic", n);
        o.set("vk_alpha_1", g1(v.get("alpha1")));
        o.set("vk_beta_2", g2(v.get("beta2")));
        o.set("vk_gamma_2", g2(v.get("gamma2")));
        o.set("vk_delta_2", g2(v.get("delta2")));
        ArrayNode ic = o.putArray("IC");
        for (JsonNode p : k) {
            ic.add(g1(p));
        }
        return JSON.writeValueAsString(o) + "\n";
    }

    /**
     * snarkjs's {@code proof.json} from the 256-byte proof layout {@code A.x | A.y | B.x.a1 | B.x.a0 |
     * B.y.a1 | B.y.a0 | C.x | C.y} (big-endian 32-byte words, docs/native-abi.md "Proof layout").
     */
    public static String proof(byte[] solidityProof) {
        Objects.requireNonNull(solidityProof, "solidityProof");
        if (solidityProof.length != 256) {
            throw new IllegalArgumentException("a proof has 256 bytes, got " + solidityProof.length);
        }
        String[] w = new String[8];
        for (int i = 0; i < 8; i++) {
            BigInteger x = new BigInteger(1, java.util.Arrays.copyOfRange(solidityProof, 32 * i, 32 * i + 32));
            if (x.compareTo(P) >= 0) {
                throw new IllegalArgumentException("proof word " + i + " is not a base-field element (>= p)");
            }
            w[i] = x.toString();
        }
        ObjectNode o = JSON.createObjectNode();
        o.set("pi_a", g1(w[0], w[1]));
        o.set("pi_b", g2(w[3], w[2], w[5], w[4]));
        o.set("pi_c", g1(w[6], w[7]));
        o.put("protocol", "groth16");
        o.put("curve", "bn128");
        return JSON.writeValueAsString(o) + "\n";
    }

    /** snarkjs's {@code public.json}: the public inputs as decimal field elements. */
    public static String publicSignals(List<String> publicInputs) {
        ArrayNode a = JSON.createArrayNode();
        for (int i = 0; i < publicInputs.size(); i++) {
            String s = publicInputs.get(i);
            BigInteger v;
            try {
                v = new BigInteger(Objects.requireNonNull(s, "public input " + i));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("public input " + i + " is not a decimal: " + s);
            }
            if (v.signum() < 0 || v.compareTo(Bn254.R) >= 0 || !v.toString().equals(s)) {
                throw new IllegalArgumentException("public input " + i + " is not a canonical field element in [0, r): " + s);
            }
            a.add(s);
        }
        return JSON.writeValueAsString(a) + "\n";
    }

    private static ArrayNode g1(JsonNode p) {
        return g1(p.get("x").asString(), p.get("y").asString());
    }

    private static ArrayNode g1(String x, String y) {
        ArrayNode a = JSON.createArrayNode();
        if (x.equals("0") && y.equals("0")) {
            return a.add("0").add("1").add("0");
        }
        return a.add(x).add(y).add("1");
    }

    private static ArrayNode g2(JsonNode p) {
        return g2(p.get("x").get("a0").asString(), p.get("x").get("a1").asString(),
                p.get("y").get("a0").asString(), p.get("y").get("a1").asString());
    }

    private static ArrayNode g2(String xa0, String xa1, String ya0, String ya1) {
        ArrayNode a = JSON.createArrayNode();
        if (xa0.equals("0") && xa1.equals("0") && ya0.equals("0") && ya1.equals("0")) {
            a.addArray().add("0").add("0");
            a.addArray().add("1").add("0");
            a.addArray().add("0").add("0");
            return a;
        }
        a.addArray().add(xa0).add(xa1);
        a.addArray().add(ya0).add(ya1);
        a.addArray().add("1").add("0");
        return a;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not a JSON document: " + e.getMessage());
        }
    }
}
