// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Interfaces of the zkml on-chain registry, oracle and consumers.
/// @notice The registry follows the shape of ERC-7992 (draft, 2025): a model id maps to a
/// commitment (weights, circuit, verifying key, proving system) and `verifyInference` reverts
/// unless the proof verifies, then emits `InferenceVerified` and records the inference.
/// See docs/contracts.md for who may call what and what each party must trust.

/// @dev Proving-system ids (`proofSystemId`).
library ProofSystems {
    /// gnark's Groth16 verifier over BN254: `verifyProof(bytes,uint256[N])`, reverts on a bad proof.
    uint8 internal constant GROTH16 = 1;
    /// gnark's PLONK verifier over BN254 (KZG): `Verify(bytes,uint256[])`, returns false on a bad proof.
    uint8 internal constant PLONK = 2;
}

interface IZkmlRegistry {
    /// What a model id commits to. `inputWords` public field elements come first in the proof's
    /// public inputs (the quantized inputs, or one Poseidon2 commitment when `hashedInputs`),
    /// then `outputWords` outputs: the public-input order of the circuit (docs/ir-format.md).
    struct ModelCommitment {
        bytes32 weightsHash; // SHA-256 of the uploaded model file, or the weights' commitment
        bytes32 circuitHash; // SHA-256 of the circuit's IR document (the circuit hash)
        bytes32 vkHash; // SHA-256 of the verifying-key file (`verifyingKeyHash`)
        uint8 proofSystemId; // ProofSystems.GROTH16 or ProofSystems.PLONK
        address verifier; // the exported verifier contract of that key
        uint16 inputWords;
        uint16 outputWords;
        bool hashedInputs;
    }

    struct InferenceRecord {
        uint256 modelId;
        bytes32 inputCommitment; // the Poseidon2 commitment, or keccak256(abi.encodePacked(inputs))
        uint256[] outputs;
        uint64 blockNumber;
        address submitter;
    }

    event ModelRegistered(uint256 indexed modelId, address indexed owner, bytes32 circuitHash, bytes32 vkHash,
        uint8 proofSystemId, address verifier);
    event ModelUpdated(uint256 indexed modelId, bytes32 circuitHash, bytes32 vkHash, uint8 proofSystemId,
        address verifier);
    event ModelOwnershipTransferred(uint256 indexed modelId, address indexed previousOwner, address indexed newOwner);
    event InferenceVerified(uint256 indexed modelId, uint256 indexed inferenceId, bytes32 indexed inputCommitment,
        uint256[] outputs, address submitter);

    error UnknownModel(uint256 modelId);
    error NotModelOwner(uint256 modelId, address caller);
    error InvalidCommitment(string reason);
    error WrongInputCount(uint256 expected, uint256 got);
    error WrongOutputCount(uint256 expected, uint256 got);
    error NotHashedInputs(uint256 modelId);
    error VerifierHasNoCode(address verifier);
    error ProofRejected(uint256 modelId);
    error UnknownInference(uint256 inferenceId);

    function registerModel(ModelCommitment calldata commitment) external returns (uint256 modelId);

    function updateModel(uint256 modelId, ModelCommitment calldata commitment) external;

    function transferModelOwnership(uint256 modelId, address newOwner) external;

    function model(uint256 modelId) external view returns (ModelCommitment memory);

    function modelOwner(uint256 modelId) external view returns (address);

    /// ERC-7992 shape, for models with hashed inputs: `output` is `abi.encode(uint256[] outputs)`.
    function verifyInference(uint256 modelId, bytes32 inputCommitment, bytes calldata output, bytes calldata proof)
        external
        returns (uint256 inferenceId);

    /// Any model: `inputs` are the `inputWords` public inputs before the outputs.
    function verifyInferenceWithInputs(uint256 modelId, uint256[] calldata inputs, uint256[] calldata outputs,
        bytes calldata proof) external returns (uint256 inferenceId);

    /// Checks without recording (no event, no state change): true iff the proof verifies.
    function isValidInference(uint256 modelId, uint256[] calldata inputs, uint256[] calldata outputs,
        bytes calldata proof) external view returns (bool);

    function inference(uint256 inferenceId) external view returns (InferenceRecord memory);

    function latestInference(uint256 modelId) external view returns (uint256 inferenceId);
}

/// A contract that receives proven inferences from the oracle.
interface IZkmlConsumer {
    /// Called by the oracle once per request, after the registry verified the proof.
    function onInferenceFulfilled(uint256 requestId, uint256 modelId, uint256[] calldata outputs) external;
}
