package io.zkml.benchmarks;

/**
 * The measurements of one demo model (docs/benchmarks.md describes every field).
 *
 * @param name the demo's folder name, or {@code synthetic-<features>}
 * @param source the demo's folder, or {@code synthetic}
 * @param setting the settings it was measured under (sweep, proving system, range checks, visibility,
 *     batch size, requested scales)
 * @param modelSha256 SHA-256 of {@code model.tribuo}
 * @param modelClass the Tribuo model class
 * @param task {@code classification} or {@code regression}
 * @param features number of input features
 * @param outputs number of labels (classification) or output dimensions (regression)
 * @param family the model family: {@code linear}, {@code tree} or {@code ensemble}, with its size
 * @param quantization how the model was quantized
 * @param circuit the circuit and its keys
 * @param timings compile, setup, prove and verify times
 * @param proofBytes size of the proof as the Solidity verifier takes it
 * @param memory peak memory while compiling, setting up, proving and verifying this model
 * @param evm the Solidity verifier on anvil, or null with {@code --skip-evm}
 * @param fidelity circuit vs. float model
 */
public record ModelResult(String name, String source, Setting setting, String modelSha256, String modelClass, String task, int features, int outputs,
                          Family family, Quantization quantization, Circuit circuit, Timings timings, int proofBytes,
                          MemoryProbe.Peak memory, Evm evm, FidelityResult fidelity) {

    /**
     * @param name {@code linear}, {@code tree} or {@code ensemble}
     * @param members ensemble members (1 for a single model)
     * @param trees decision trees (0 for a linear model)
     * @param maxDepth the deepest tree (0 for a linear model)
     * @param treeNodes internal nodes (splits) over all trees
     * @param constraintsPerTreeNode {@code constraints / treeNodes}, or null for a linear model
     */
    public record Family(String name, int members, int trees, int maxDepth, long treeNodes, Double constraintsPerTreeNode) {
    }

    /**
     * @param settingsSource {@code quantization.json}, {@code defaults}, or {@code synthetic} (ranges [-1, 1])
     * @param inputScale fractional bits of the inputs
     * @param weightScale fractional bits of the weights
     * @param rangeSource where the input ranges came from ({@code declared}, {@code samples}, {@code training})
     * @param errorBound the compiler's proven bound on |circuit − float| per output or score, or null
     */
    public record Quantization(String settingsSource, int inputScale, int weightScale, String rangeSource,
                               Double errorBound) {
    }

    /**
     * @param circuitHash SHA-256 of the IR bytes
     * @param irBytes size of the IR document
     * @param constraints R1CS constraints (gnark's count)
     * @param publicInputs public inputs of the verifier (inputs then outputs)
     * @param provingKeyBytes size of the proving-key file
     * @param verifyingKeyBytes size of the verifying-key file
     * @param constraintsByOp the constraints each op kind added (gnark's counts; they sum to {@code constraints})
     */
    public record Circuit(String circuitHash, int irBytes, int constraints, int publicInputs, long provingKeyBytes,
                          long verifyingKeyBytes, java.util.Map<String, Integer> constraintsByOp) {
    }

    /**
     * @param irCompileMillis Tribuo import + quantization + lowering to IR (Java), wall time
     * @param r1csCompileMillis IR → R1CS (native), wall time through JNI
     * @param setupMillis Groth16 setup including writing both keys, wall time through JNI
     * @param setupNativeMillis the setup time the native library reports
     * @param prove wall time of one {@code prove} call through JNI (witness + proof)
     * @param proveNative the proof time the native library reports (without the witness)
     * @param witnessNative the witness time the native library reports
     * @param verify wall time of one off-chain {@code verify} call through JNI
     */
    public record Timings(double irCompileMillis, double r1csCompileMillis, double setupMillis, long setupNativeMillis,
                          Stats prove, Stats proveNative, Stats witnessNative, Stats verify) {
    }

    /**
     * @param verifierSourceSha256 SHA-256 of the exported Solidity source
     * @param deployedSize runtime code size in bytes (EIP-170 limit: 24576)
     * @param creationSize init code size in bytes (EIP-3860 limit: 49152)
     * @param fitsMainnetLimits both sizes within the limits
     * @param deploymentGas gas used by the deployment transaction
     * @param verificationGasUsed gas used by a {@code verifyProof} transaction (receipt; includes the
     *     21000 intrinsic gas and calldata gas)
     * @param verificationGasEstimate {@code eth_estimateGas} of the same transaction
     * @param realProofAccepted the real proof verified on chain (always true: otherwise the model is a failure)
     * @param tamperedProofRejected the proof with its last byte changed was rejected on chain (always true:
     *     otherwise the model is a failure)
     * @param oracle gas of the registry and oracle (issue 10) with this verifier, or null
     */
    public record Evm(String verifierSourceSha256, int deployedSize, int creationSize, boolean fitsMainnetLimits,
                      long deploymentGas, long verificationGasUsed, long verificationGasEstimate,
                      boolean realProofAccepted, boolean tamperedProofRejected, Oracle oracle) {
    }

    /**
     * Gas used (receipts: intrinsic and calldata gas included) of the on-chain registry and oracle
     * (docs/contracts.md) with the model's verifier and its real proof, for the model's proving
     * system and input visibility.
     *
     * @param provingSystem {@code groth16}
     * @param inputVisibility {@code public} (the demo circuits)
     * @param registerModel {@code ZkmlRegistry.registerModel}
     * @param registryVerifyAndRecord {@code ZkmlRegistry.verifyInferenceWithInputs}: verify through the
     *     verifier, record the inference, emit {@code InferenceVerified}
     * @param requestInference {@code ZkmlOracle.requestInference} without a callback or a fee
     * @param fulfil {@code ZkmlOracle.fulfil} of that request (verify + record, no callback)
     */
    public record Oracle(String provingSystem, String inputVisibility, long registerModel, long registryVerifyAndRecord,
                         long requestInference, long fulfil) {
    }
}
