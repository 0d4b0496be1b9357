// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IZkmlRegistry, IZkmlConsumer} from "./IZkml.sol";

/// @title ZkmlOracle: request an inference on chain, receive it proven.
/// @notice `requestInference` records what must be proven (model, the public input words, a
/// deadline, the consumer to call back, an optional fee in wei) and emits `InferenceRequested`.
/// Anyone may `fulfil` a pending request before its deadline with outputs and a proof; the
/// registry verifies the proof for exactly the request's inputs (so a proof made for other
/// inputs cannot fulfil it), records it, and the consumer is called back once. For models with
/// hashed inputs each commitment may be requested only once per model: the commitment's secret
/// salt is then the request's nonce, and no proof can serve two requests (docs/adr/0016).
/// Fees and refunds are paid by withdrawal (pull), never pushed.
contract ZkmlOracle {
    enum Status {
        None,
        Pending,
        Fulfilled,
        Cancelled
    }

    /// Four storage slots when requested (the fields are ordered to pack).
    struct Request {
        uint256 modelId;
        address requester;
        uint64 deadline; // unix seconds, inclusive
        uint32 callbackGasLimit;
        address callback; // IZkmlConsumer, or address(0) for none
        Status status;
        uint88 fee; // wei
        bytes32 inputsHash; // keccak256(abi.encode(inputs))
        uint256 inferenceId; // the registry's record, once fulfilled
    }

    /// Gas kept back for the work after the callback returns (event, bookkeeping).
    uint256 internal constant CALLBACK_OVERHEAD = 20_000;
    uint32 public constant MAX_CALLBACK_GAS = 2_000_000;

    IZkmlRegistry public immutable registry;
    uint256 public requestCount;
    mapping(uint256 => Request) private requests;
    mapping(uint256 => mapping(uint256 => bool)) public commitmentRequested; // modelId => commitment => used
    mapping(address => uint256) public balances; // withdrawable fees and refunds

    event InferenceRequested(uint256 indexed requestId, uint256 indexed modelId, address indexed requester,
        uint256[] inputs, address callback, uint64 deadline, uint32 callbackGasLimit, uint256 fee);
    event InferenceFulfilled(uint256 indexed requestId, uint256 indexed modelId, uint256 inferenceId,
        uint256[] outputs, address fulfiller, bool callbackSucceeded);
    event CallbackFailed(uint256 indexed requestId, bytes reason);
    event RequestCancelled(uint256 indexed requestId);
    event Withdrawn(address indexed to, uint256 amount);

    error UnknownRequest(uint256 requestId);
    error NotPending(uint256 requestId, Status status);
    error Expired(uint256 requestId, uint64 deadline);
    error NotExpired(uint256 requestId, uint64 deadline);
    error NotRequester(uint256 requestId, address caller);
    error InputsMismatch(uint256 requestId);
    error WrongInputCount(uint256 expected, uint256 got);
    error CommitmentAlreadyRequested(uint256 modelId, uint256 commitment);
    error BadDeadline(uint64 deadline);
    error CallbackGasTooHigh(uint32 limit);
    error InsufficientGasForCallback(uint256 needed, uint256 left);
    error FeeTooLarge();
    error NothingToWithdraw();
    error WithdrawFailed();

    constructor(IZkmlRegistry registry_) {
        registry = registry_;
    }

    /// Asks for an inference of `modelId` on `inputs` (the model's public input words: the
    /// quantized inputs, or one Poseidon2 commitment for hashed inputs). `msg.value` is the fee,
    /// paid to whoever fulfils; refunded to the requester if the request expires and is cancelled.
    function requestInference(uint256 modelId, uint256[] calldata inputs, address callback, uint64 deadline,
        uint32 callbackGasLimit) external payable returns (uint256 requestId) {
        IZkmlRegistry.ModelCommitment memory m = registry.model(modelId); // reverts on an unknown model
        if (inputs.length != m.inputWords) revert WrongInputCount(m.inputWords, inputs.length);
        if (deadline <= block.timestamp) revert BadDeadline(deadline);
        if (callbackGasLimit > MAX_CALLBACK_GAS) revert CallbackGasTooHigh(callbackGasLimit);
        if (msg.value > type(uint88).max) revert FeeTooLarge();
        if (m.hashedInputs) {
            if (commitmentRequested[modelId][inputs[0]]) revert CommitmentAlreadyRequested(modelId, inputs[0]);
            commitmentRequested[modelId][inputs[0]] = true;
        }
        requestId = ++requestCount;
        requests[requestId] = Request({
            modelId: modelId,
            requester: msg.sender,
            deadline: deadline,
            callbackGasLimit: callbackGasLimit,
            callback: callback,
            status: Status.Pending,
            fee: uint88(msg.value),
            inputsHash: keccak256(abi.encode(inputs)),
            inferenceId: 0
        });
        emit InferenceRequested(requestId, modelId, msg.sender, inputs, callback, deadline, callbackGasLimit, msg.value);
    }

    /// Fulfils a pending, unexpired request: `inputs` must be the request's (they are in its
    /// event); the registry verifies the proof (reverting if it does not verify) and records the
    /// inference; then the consumer is called with at least the requested gas. A consumer that
    /// reverts does not undo the fulfilment (`CallbackFailed` says why).
    function fulfil(uint256 requestId, uint256[] calldata inputs, uint256[] calldata outputs, bytes calldata proof)
        external
        returns (uint256 inferenceId)
    {
        Request storage r = _request(requestId);
        if (r.status != Status.Pending) revert NotPending(requestId, r.status);
        if (block.timestamp > r.deadline) revert Expired(requestId, r.deadline);
        if (keccak256(abi.encode(inputs)) != r.inputsHash) revert InputsMismatch(requestId);
        r.status = Status.Fulfilled; // before any external call
        inferenceId = registry.verifyInferenceWithInputs(r.modelId, inputs, outputs, proof);
        r.inferenceId = inferenceId;
        if (r.fee != 0) balances[msg.sender] += r.fee;
        bool ok = true;
        if (r.callback != address(0)) {
            // EIP-150 passes at most 63/64 of what is left: refuse to run the callback short of gas
            // (a fulfiller could otherwise make it fail on purpose and still fulfil).
            uint256 needed = uint256(r.callbackGasLimit) * 64 / 63 + CALLBACK_OVERHEAD;
            if (gasleft() < needed) revert InsufficientGasForCallback(needed, gasleft());
            try IZkmlConsumer(r.callback).onInferenceFulfilled{gas: r.callbackGasLimit}(requestId, r.modelId, outputs) {}
            catch (bytes memory reason) {
                ok = false;
                emit CallbackFailed(requestId, reason);
            }
        }
        emit InferenceFulfilled(requestId, r.modelId, inferenceId, outputs, msg.sender, ok);
    }

    /// The requester takes back the fee of a request that expired unfulfilled.
    function cancel(uint256 requestId) external {
        Request storage r = _request(requestId);
        if (r.requester != msg.sender) revert NotRequester(requestId, msg.sender);
        if (r.status != Status.Pending) revert NotPending(requestId, r.status);
        if (block.timestamp <= r.deadline) revert NotExpired(requestId, r.deadline);
        r.status = Status.Cancelled;
        if (r.fee != 0) balances[msg.sender] += r.fee;
        emit RequestCancelled(requestId);
    }

    function withdraw() external {
        uint256 amount = balances[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        balances[msg.sender] = 0;
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert WithdrawFailed();
        emit Withdrawn(msg.sender, amount);
    }

    function request(uint256 requestId) external view returns (Request memory) {
        return _request(requestId);
    }

    function _request(uint256 requestId) private view returns (Request storage r) {
        r = requests[requestId];
        if (r.status == Status.None) revert UnknownRequest(requestId);
    }
}
