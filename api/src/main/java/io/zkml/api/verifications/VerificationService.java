package io.zkml.api.verifications;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;

import org.springframework.stereotype.Service;

import io.zkml.api.artifacts.HandleCache;
import io.zkml.api.artifacts.IncompatibleArtifactException;
import io.zkml.api.artifacts.NativeHandles;
import io.zkml.api.circuits.CircuitRecord;
import io.zkml.api.circuits.CircuitService;
import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;
import io.zkml.prover.Bn254;
import io.zkml.prover.ErrorCode;
import io.zkml.prover.NativeProverException;
import io.zkml.prover.Prover;
import io.zkml.prover.ProvingSystem;
import io.zkml.prover.VerifyingKey;

/**
 * Verifies a proof against a circuit's verifying key, synchronously, with the circuit's proving
 * system (Groth16 or PLONK). Input that cannot be a proof or public inputs is a 400; a well-formed
 * proof that does not verify is {@code valid: false}.
 */
@Service
public class VerificationService {

    /** Bytes of a Groth16 proof in the Solidity verifier's layout (8 words of 32 bytes). */
    public static final int PROOF_BYTES = 256;
    /**
     * Bytes of a PLONK proof as the service hands it out ({@code proof} of GET /v1/inferences/{id}):
     * the 768 of gnark's Solidity layout and the 32-byte linearised opening.
     */
    public static final int PLONK_PROOF_BYTES = 800;
    /**
     * Bytes of a Groth16 proof of a circuit that range-checks by lookup (issue 7): the 8 words, then
     * the BSB22 commitment D.x | D.y and its proof of knowledge PoK.x | PoK.y.
     */
    public static final int LOOKUP_PROOF_BYTES = 384;
    /**
     * Bytes of a PLONK proof of a lookup circuit: 800 and, for the BSB22 commitment, the commitment
     * selector's value at zeta and the commitment (3 words) before the linearised opening.
     */
    public static final int PLONK_LOOKUP_PROOF_BYTES = 896;

    private static final Pattern HEX = Pattern.compile("0x[0-9a-fA-F]*");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,100}");

    private final CircuitService circuits;
    private final NativeHandles handles;

    public VerificationService(CircuitService circuits, NativeHandles handles) {
        this.circuits = circuits;
        this.handles = handles;
    }

    public boolean verify(JsonNode circuitId, JsonNode proof, JsonNode publicInputs) throws Exception {
        if (circuitId == null || !circuitId.isString()) {
            throw new ApiException(ProblemType.INVALID_REQUEST, "circuitId is required (the id of a ready circuit)");
        }
        CircuitRecord circuit = circuits.getReady(io.zkml.api.support.Ids.parse(circuitId.stringValue(), "circuit"));
        ProvingSystem system = ProvingSystem.of(circuit.provingSystem());
        boolean lookup = io.zkml.api.circuits.RangeCheck.LOOKUP.equals(circuits.rangeCheck(circuit.id()));
        byte[] proofBytes = proofBytes(proof, system, lookup);
        List<BigInteger> inputs = publicInputs(publicInputs, circuit.publicInputs());
        // issue 8 (ADR 0025): one constraint system serves every model of its architecture, so a proof with
        // other weights verifies under the same key; it is this circuit's only with its weightsCommitment
        if (circuit.visibility() != null && circuit.visibility().hashedWeights()) {
            String pinned = circuits.hashedWeights(circuit.id()).map(io.zkml.api.circuits.CircuitRepository.HashedWeightsInfo::commitment)
                    .orElse(null);
            int at = circuits.compiled(circuit).weightsCommitmentIndex();
            if (pinned == null || at < 0 || at >= inputs.size() || !inputs.get(at).toString().equals(pinned)) {
                return false;
            }
        }
        try (HandleCache<String, VerifyingKey>.Lease vk = handles.verifying(circuit.vkSha256(), system, circuit.circuitHash())) {
            return Prover.of(system).verify(vk.value(), proofBytes, inputs);
        } catch (IncompatibleArtifactException e) {
            throw new ApiException(ProblemType.INCOMPATIBLE_ARTIFACT, e.getMessage());
        } catch (NativeProverException e) {
            if (e.errorCode() == ErrorCode.MALFORMED_PROOF) {
                throw new ApiException(ProblemType.MALFORMED_PROOF, "the proof is malformed: " + nativeDetail(e));
            }
            if (e.errorCode() == ErrorCode.INVALID_ARGUMENT) {
                throw new ApiException(ProblemType.INVALID_PUBLIC_INPUTS, nativeDetail(e));
            }
            if (e.errorCode() == ErrorCode.VERSION_MISMATCH) {
                throw new ApiException(ProblemType.INCOMPATIBLE_ARTIFACT, nativeDetail(e));
            }
            throw e;
        }
    }

    static byte[] proofBytes(JsonNode proof) {
        return proofBytes(proof, ProvingSystem.GROTH16);
    }

    static byte[] proofBytes(JsonNode proof, ProvingSystem system) {
        return proofBytes(proof, system, false);
    }

    static byte[] proofBytes(JsonNode proof, ProvingSystem system, boolean lookup) {
        int expected = system == ProvingSystem.PLONK ? (lookup ? PLONK_LOOKUP_PROOF_BYTES : PLONK_PROOF_BYTES)
                : lookup ? LOOKUP_PROOF_BYTES : PROOF_BYTES;
        String layout = system == ProvingSystem.PLONK
                ? (lookup ? "a PLONK proof of a lookup circuit: the 864 bytes of the Solidity layout (with the BSB22 commitment) "
                        + "and the 32-byte linearised opening"
                        : "a PLONK proof: the 768 bytes of the Solidity layout and the 32-byte linearised opening")
                : lookup ? "a Groth16 proof of a lookup circuit: 8 words of 32 bytes, the commitment and its proof of knowledge"
                : "8 words of 32 bytes";
        if (proof == null || !proof.isString()) {
            throw new ApiException(ProblemType.MALFORMED_PROOF,
                    "proof is required: 0x-prefixed hex of " + expected + " bytes (the proof of GET /v1/inferences/{id})");
        }
        String hex = proof.stringValue().strip();
        if (!HEX.matcher(hex).matches() || hex.length() % 2 != 0) {
            throw new ApiException(ProblemType.MALFORMED_PROOF,
                    "proof must be 0x followed by hexadecimal digits (two per byte)");
        }
        int bytes = (hex.length() - 2) / 2;
        if (bytes != expected) {
            throw new ApiException(ProblemType.MALFORMED_PROOF,
                    "proof must be " + expected + " bytes (" + layout + "), got " + bytes);
        }
        return HexFormat.of().parseHex(hex, 2, hex.length());
    }

    static List<BigInteger> publicInputs(JsonNode node, int expected) {
        if (node == null || !node.isArray()) {
            throw new ApiException(ProblemType.INVALID_PUBLIC_INPUTS,
                    "publicInputs is required: an array of " + expected + " decimal strings in the verifier's order",
                    Map.of("expectedCount", expected));
        }
        if (node.size() != expected) {
            throw new ApiException(ProblemType.INVALID_PUBLIC_INPUTS,
                    "this circuit has " + expected + " public inputs (inputs, then outputs), got " + node.size(),
                    Map.of("expectedCount", expected));
        }
        List<BigInteger> values = new ArrayList<>(expected);
        for (int i = 0; i < node.size(); i++) {
            JsonNode n = node.get(i);
            String text = n.isString() ? n.stringValue().strip() : n.isIntegralNumber() ? n.bigIntegerValue().toString() : null;
            if (text == null || !DECIMAL.matcher(text).matches()) {
                throw new ApiException(ProblemType.INVALID_PUBLIC_INPUTS,
                        "publicInputs[" + i + "] must be a non-negative decimal integer (a field element; a negative "
                                + "value v is written r + v)");
            }
            BigInteger v = new BigInteger(text);
            if (v.compareTo(Bn254.R) >= 0) {
                throw new ApiException(ProblemType.INVALID_PUBLIC_INPUTS,
                        "publicInputs[" + i + "] is not below the BN254 scalar field modulus r = " + Bn254.R);
            }
            values.add(v);
        }
        return values;
    }

    /** The native message without the error-code prefix that NativeProverException adds. */
    private static String nativeDetail(NativeProverException e) {
        String m = e.getMessage();
        String prefix = e.errorCode() + ": ";
        return m != null && m.startsWith(prefix) ? m.substring(prefix.length()) : String.valueOf(m);
    }

}
