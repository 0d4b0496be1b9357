package io.zkml.api.verifier;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.stereotype.Service;

import io.zkml.api.artifacts.HandleCache;
import io.zkml.api.artifacts.IncompatibleArtifactException;
import io.zkml.api.artifacts.NativeHandles;
import io.zkml.api.circuits.CircuitRecord;
import io.zkml.api.circuits.CircuitService;
import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.ir.IrTensor;
import io.zkml.prover.ErrorCode;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.NativeProverException;
import io.zkml.prover.SnarkjsExport;
import io.zkml.prover.SnarkjsUnsupportedException;
import io.zkml.prover.VerifyingKey;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a verifier outside the service needs, once per circuit: the verifying key in snarkjs's
 * {@code verification_key.json} format, and (for the verifier page) the circuit hash and how to
 * read the outputs. docs/snarkjs.md.
 */
@Service
public class VerifierPageService {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final CircuitService circuits;
    private final NativeHandles handles;
    private final Groth16Prover prover;

    public VerifierPageService(CircuitService circuits, NativeHandles handles, Groth16Prover prover) {
        this.circuits = circuits;
        this.handles = handles;
        this.prover = prover;
    }

    /** snarkjs's verification_key.json of a ready circuit (JSON text). */
    public String verificationKey(UUID id) throws Exception {
        return verificationKey(circuits.getReady(id));
    }

    private String verificationKey(CircuitRecord c) throws Exception {
        if (!CircuitService.GROTH16.equals(c.provingSystem())) {
            // snarkjs's PLONK verifier has another transcript and key layout than gnark's (docs/snarkjs.md)
            throw new ApiException(ProblemType.UNSUPPORTED_PROVING_SYSTEM, "circuit " + c.id() + " is a "
                    + c.provingSystem() + " circuit; snarkjs (the verifier page) checks only groth16 proofs. Verify it with "
                    + "POST /v1/verifications or its Solidity verifier (GET /v1/circuits/" + c.id() + "/verifier.sol)",
                    Map.of("supportedProvingSystems", List.of(CircuitService.GROTH16)));
        }
        if (io.zkml.api.circuits.RangeCheck.LOOKUP.equals(circuits.rangeCheck(c.id()))) {
            // issue 7: the Groth16 key of a lookup circuit has a BSB22 commitment, which snarkjs cannot check
            throw new ApiException(ProblemType.UNSUPPORTED_RANGE_CHECK, "circuit " + c.id() + " range-checks by lookup: its "
                    + "Groth16 proofs carry a BSB22 commitment and its proof of knowledge, which snarkjs (the verifier page) cannot "
                    + "check. Verify it with POST /v1/verifications or its Solidity verifier (GET /v1/circuits/" + c.id()
                    + "/verifier.sol), or make a circuit with \"rangeCheck\": \"bits\"", Map.of("field", "rangeCheck"));
        }
        try (HandleCache<String, VerifyingKey>.Lease vk = handles.verifying(c.vkSha256())) {
            return SnarkjsExport.verificationKey(prover, vk.value());
        } catch (IncompatibleArtifactException e) {
            throw new ApiException(ProblemType.INCOMPATIBLE_ARTIFACT, e.getMessage());
        } catch (SnarkjsUnsupportedException e) {
            // Lookup circuits are refused above; kept so that a key with commitments never gets a wrong file.
            throw new ApiException(ProblemType.UNSUPPORTED_RANGE_CHECK, e.getMessage());
        } catch (NativeProverException e) {
            if (e.errorCode() == ErrorCode.VERSION_MISMATCH) {
                throw new ApiException(ProblemType.INCOMPATIBLE_ARTIFACT, e.getMessage());
            }
            throw e;
        }
    }

    /**
     * The verification bundle of a ready circuit: {@code circuitId}, {@code circuitHash},
     * {@code verifyingKeyHash}, {@code name}, {@code task}, {@code inputSize}, {@code outputSize},
     * {@code labels}, {@code outputScales} (one per output value) and {@code verificationKey}
     * (snarkjs's verification_key.json, as an object).
     */
    public Map<String, Object> bundle(UUID id) throws Exception {
        CircuitRecord c = circuits.getReady(id);
        CompiledCircuit compiled = circuits.compiled(c);
        List<Integer> scales = new ArrayList<>();
        for (IrTensor t : compiled.ir().outputTensors()) {
            for (int i = 0; i < t.size(); i++) {
                scales.add(t.scale());
            }
        }
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("format", "zkml-verification-bundle");
        b.put("version", 1);
        b.put("circuitId", c.id().toString());
        b.put("circuitHash", c.circuitHash());
        b.put("verifyingKeyHash", c.verifyingKeyHash());
        b.put("name", compiled.ir().name());
        b.put("task", compiled.ir().task());
        b.put("inputSize", compiled.ir().inputSize());
        b.put("outputSize", compiled.ir().outputSize());
        b.put("features", compiled.features());
        b.put("labels", compiled.outputs());
        b.put("outputScales", scales);
        b.put("verificationKey", JSON.readTree(verificationKey(c)));
        return b;
    }
}
