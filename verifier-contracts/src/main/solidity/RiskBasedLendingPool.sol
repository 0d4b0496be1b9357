// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IZkmlRegistry, IZkmlConsumer} from "./IZkml.sol";
import {ZkmlOracle} from "./ZkmlOracle.sol";

/// @title RiskBasedLendingPool: an example consumer of proven predictions.
/// @notice A borrower asks for a risk assessment; the oracle delivers the proven risk class of
/// the credit-risk model (output 0: the class index in the circuit's label order) and the pool
/// sets the borrower's collateral factor from it. The pool uses only what the oracle delivered,
/// and only for the model it was built for: the model id is fixed, and the registry entry must
/// still commit to the circuit, verifying key and verifier the pool pinned (an owner who re-points the
/// model cannot change what this pool accepts).
/// What it does NOT establish: that the borrower's features are true. Inputs come from the
/// borrower here; a real pool takes them (or their commitment) from an attested data source.
contract RiskBasedLendingPool is IZkmlConsumer {
    ZkmlOracle public immutable oracle;
    IZkmlRegistry public immutable registry;
    uint256 public immutable modelId;
    bytes32 public immutable circuitHash;
    bytes32 public immutable vkHash;
    address public immutable verifier;
    uint16[] public factorBpsByClass; // collateral factor in basis points per class index
    uint32 public constant CALLBACK_GAS = 200_000;

    mapping(address => uint16) public collateralFactorBps;
    mapping(address => uint256) public collateral;
    mapping(uint256 => address) public borrowerOfRequest;

    event RiskAssessmentRequested(address indexed borrower, uint256 indexed requestId);
    event CollateralFactorSet(address indexed borrower, uint256 indexed requestId, uint256 riskClass, uint16 factorBps);
    event Deposited(address indexed borrower, uint256 amount);

    error OnlyOracle();
    error WrongModel(uint256 modelId);
    error UnknownRequest(uint256 requestId);
    error ModelChanged();
    error UnknownClass(uint256 riskClass);
    error BadFactor();

    constructor(ZkmlOracle oracle_, uint256 modelId_, uint16[] memory factorBpsByClass_) {
        oracle = oracle_;
        registry = oracle_.registry();
        modelId = modelId_;
        IZkmlRegistry.ModelCommitment memory m = registry.model(modelId_);
        circuitHash = m.circuitHash;
        vkHash = m.vkHash;
        verifier = m.verifier;
        if (factorBpsByClass_.length == 0) revert BadFactor();
        for (uint256 i = 0; i < factorBpsByClass_.length; i++) {
            if (factorBpsByClass_[i] > 10_000) revert BadFactor();
        }
        factorBpsByClass = factorBpsByClass_;
    }

    /// Requests the caller's risk class for `inputs` (the model's public input words); the
    /// oracle fee is `msg.value`.
    function requestRiskAssessment(uint256[] calldata inputs, uint64 deadline) external payable returns (uint256 requestId) {
        requestId = oracle.requestInference{value: msg.value}(modelId, inputs, address(this), deadline, CALLBACK_GAS);
        borrowerOfRequest[requestId] = msg.sender;
        emit RiskAssessmentRequested(msg.sender, requestId);
    }

    function onInferenceFulfilled(uint256 requestId, uint256 modelId_, uint256[] calldata outputs) external {
        if (msg.sender != address(oracle)) revert OnlyOracle();
        if (modelId_ != modelId) revert WrongModel(modelId_);
        address borrower = borrowerOfRequest[requestId];
        if (borrower == address(0)) revert UnknownRequest(requestId);
        IZkmlRegistry.ModelCommitment memory m = registry.model(modelId);
        if (m.circuitHash != circuitHash || m.vkHash != vkHash || m.verifier != verifier) revert ModelChanged();
        uint256 riskClass = outputs[0];
        if (riskClass >= factorBpsByClass.length) revert UnknownClass(riskClass);
        delete borrowerOfRequest[requestId];
        uint16 factor = factorBpsByClass[riskClass];
        collateralFactorBps[borrower] = factor;
        emit CollateralFactorSet(borrower, requestId, riskClass, factor);
    }

    function deposit() external payable {
        collateral[msg.sender] += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    /// What the borrower may borrow against their collateral at their proven risk class.
    function maxBorrow(address borrower) external view returns (uint256) {
        return collateral[borrower] * collateralFactorBps[borrower] / 10_000;
    }
}
