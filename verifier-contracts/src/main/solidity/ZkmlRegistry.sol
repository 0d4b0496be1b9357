// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IZkmlRegistry, ProofSystems} from "./IZkml.sol";

/// @title ZkmlRegistry: model commitments, proof dispatch to the model's verifier, verified records.
/// @notice Anyone may register a model and becomes its owner; only the owner may change what the
/// id points to (every change emits `ModelUpdated`, so consumers that pin a circuit or key hash can
/// see it). `verifyInference*` reverts unless the model's verifier accepts the proof for exactly
/// the given inputs and outputs, then records the inference and emits `InferenceVerified`.
contract ZkmlRegistry is IZkmlRegistry {
    /// BN254 scalar-field modulus: every public input must be below it.
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416063344570872155049577058817;
    /// gnark's PLONK verifier entry point.
    bytes4 internal constant PLONK_VERIFY = bytes4(keccak256("Verify(bytes,uint256[])"));
    /// At most this many public inputs (gnark's Groth16 verifier cannot be deployed far above ~145).
    uint256 internal constant MAX_WORDS = 1024;

    struct Entry {
        ModelCommitment commitment;
        address owner;
        bytes4 groth16Selector; // verifyProof(bytes,uint256[inputWords + outputWords])
    }

    uint256 public modelCount;
    uint256 public inferenceCount;
    mapping(uint256 => Entry) private entries;
    mapping(uint256 => InferenceRecord) private records;
    mapping(uint256 => uint256) private latest;

    function registerModel(ModelCommitment calldata c) external returns (uint256 modelId) {
        bytes4 selector = _check(c);
        modelId = ++modelCount;
        Entry storage e = entries[modelId];
        e.commitment = c;
        e.owner = msg.sender;
        e.groth16Selector = selector;
        emit ModelRegistered(modelId, msg.sender, c.circuitHash, c.vkHash, c.proofSystemId, c.verifier);
    }

    function updateModel(uint256 modelId, ModelCommitment calldata c) external {
        Entry storage e = _ownedBy(modelId, msg.sender);
        e.groth16Selector = _check(c);
        e.commitment = c;
        emit ModelUpdated(modelId, c.circuitHash, c.vkHash, c.proofSystemId, c.verifier);
    }

    function transferModelOwnership(uint256 modelId, address newOwner) external {
        Entry storage e = _ownedBy(modelId, msg.sender);
        if (newOwner == address(0)) revert InvalidCommitment("new owner is the zero address");
        e.owner = newOwner;
        emit ModelOwnershipTransferred(modelId, msg.sender, newOwner);
    }

    function model(uint256 modelId) external view returns (ModelCommitment memory) {
        return _entry(modelId).commitment;
    }

    function modelOwner(uint256 modelId) external view returns (address) {
        return _entry(modelId).owner;
    }

    function verifyInference(uint256 modelId, bytes32 inputCommitment, bytes calldata output, bytes calldata proof)
        external
        returns (uint256)
    {
        Entry storage e = _entry(modelId);
        if (!e.commitment.hashedInputs) revert NotHashedInputs(modelId);
        uint256[] memory outputs = abi.decode(output, (uint256[]));
        uint256[] memory inputs = new uint256[](1);
        inputs[0] = uint256(inputCommitment);
        return _verifyAndRecord(modelId, e, inputs, outputs, proof);
    }

    function verifyInferenceWithInputs(uint256 modelId, uint256[] calldata inputs, uint256[] calldata outputs,
        bytes calldata proof) external returns (uint256) {
        return _verifyAndRecord(modelId, _entry(modelId), inputs, outputs, proof);
    }

    function isValidInference(uint256 modelId, uint256[] calldata inputs, uint256[] calldata outputs,
        bytes calldata proof) external view returns (bool) {
        Entry storage e = _entry(modelId);
        if (inputs.length != e.commitment.inputWords || outputs.length != e.commitment.outputWords) return false;
        return _verifies(e, inputs, outputs, proof);
    }

    function inference(uint256 inferenceId) external view returns (InferenceRecord memory) {
        InferenceRecord storage r = records[inferenceId];
        if (r.modelId == 0) revert UnknownInference(inferenceId);
        return r;
    }

    function latestInference(uint256 modelId) external view returns (uint256) {
        _entry(modelId);
        return latest[modelId];
    }

    /// The commitment recorded for `inputs`: the Poseidon2 commitment itself for hashed inputs,
    /// else keccak256 of the packed 32-byte words.
    function inputCommitmentOf(uint256 modelId, uint256[] calldata inputs) external view returns (bytes32) {
        return _inputCommitment(_entry(modelId).commitment.hashedInputs, inputs);
    }

    function _verifyAndRecord(uint256 modelId, Entry storage e, uint256[] memory inputs, uint256[] memory outputs,
        bytes calldata proof) private returns (uint256 inferenceId) {
        ModelCommitment storage c = e.commitment;
        if (inputs.length != c.inputWords) revert WrongInputCount(c.inputWords, inputs.length);
        if (outputs.length != c.outputWords) revert WrongOutputCount(c.outputWords, outputs.length);
        if (!_verifies(e, inputs, outputs, proof)) revert ProofRejected(modelId);
        bytes32 inputCommitment = _inputCommitment(c.hashedInputs, inputs);
        inferenceId = ++inferenceCount;
        InferenceRecord storage r = records[inferenceId];
        r.modelId = modelId;
        r.inputCommitment = inputCommitment;
        r.outputs = outputs;
        r.blockNumber = uint64(block.number);
        r.submitter = msg.sender;
        latest[modelId] = inferenceId;
        emit InferenceVerified(modelId, inferenceId, inputCommitment, outputs, msg.sender);
    }

    /// True iff the model's verifier accepts `proof` for the public inputs `inputs ++ outputs`.
    /// Groth16 verifiers revert on a bad proof (the call fails); PLONK verifiers return false:
    /// both come out as false here. A verifier without code would "succeed" on any call, so the
    /// code is checked on every verification, not only at registration.
    function _verifies(Entry storage e, uint256[] memory inputs, uint256[] memory outputs, bytes calldata proof)
        private
        view
        returns (bool)
    {
        address verifier = e.commitment.verifier;
        if (verifier.code.length == 0) revert VerifierHasNoCode(verifier);
        uint256 n = inputs.length + outputs.length;
        uint256[] memory pub = new uint256[](n);
        for (uint256 i = 0; i < inputs.length; i++) {
            pub[i] = inputs[i];
        }
        for (uint256 i = 0; i < outputs.length; i++) {
            pub[inputs.length + i] = outputs[i];
        }
        for (uint256 i = 0; i < n; i++) {
            if (pub[i] >= R) return false; // a verifier would reject it too; never hand it a wrapped value
        }
        if (e.commitment.proofSystemId == ProofSystems.GROTH16) {
            // verifyProof(bytes proof, uint256[n] input): head = offset of proof | n words; tail = length | bytes
            uint256 padding = (32 - (proof.length % 32)) % 32;
            bytes memory data = abi.encodePacked(e.groth16Selector, uint256(32 * (n + 1)), pub, proof.length, proof,
                new bytes(padding));
            (bool ok,) = verifier.staticcall(data);
            return ok;
        }
        (bool success, bytes memory ret) = verifier.staticcall(abi.encodeWithSelector(PLONK_VERIFY, proof, pub));
        return success && ret.length == 32 && abi.decode(ret, (bool));
    }

    function _inputCommitment(bool hashed, uint256[] memory inputs) private pure returns (bytes32) {
        if (hashed) return bytes32(inputs[0]);
        return keccak256(abi.encodePacked(inputs));
    }

    function _check(ModelCommitment calldata c) private view returns (bytes4) {
        if (c.proofSystemId != ProofSystems.GROTH16 && c.proofSystemId != ProofSystems.PLONK) {
            revert InvalidCommitment("unknown proofSystemId");
        }
        if (c.verifier.code.length == 0) revert VerifierHasNoCode(c.verifier);
        if (c.outputWords == 0) revert InvalidCommitment("a model has at least one output");
        if (c.inputWords == 0) revert InvalidCommitment("a model has at least one input word");
        if (c.hashedInputs && c.inputWords != 1) revert InvalidCommitment("hashed inputs are one commitment word");
        if (uint256(c.inputWords) + c.outputWords > MAX_WORDS) revert InvalidCommitment("too many public inputs");
        if (c.circuitHash == bytes32(0) || c.vkHash == bytes32(0)) revert InvalidCommitment("circuit and key hashes are required");
        return bytes4(keccak256(abi.encodePacked("verifyProof(bytes,uint256[", _decimal(uint256(c.inputWords) + c.outputWords), "])")));
    }

    function _entry(uint256 modelId) private view returns (Entry storage e) {
        e = entries[modelId];
        if (e.owner == address(0)) revert UnknownModel(modelId);
    }

    function _ownedBy(uint256 modelId, address caller) private view returns (Entry storage e) {
        e = _entry(modelId);
        if (e.owner != caller) revert NotModelOwner(modelId, caller);
    }

    function _decimal(uint256 v) private pure returns (bytes memory s) {
        if (v == 0) return "0";
        uint256 digits;
        for (uint256 t = v; t != 0; t /= 10) digits++;
        s = new bytes(digits);
        for (; v != 0; v /= 10) s[--digits] = bytes1(uint8(48 + v % 10));
    }
}
