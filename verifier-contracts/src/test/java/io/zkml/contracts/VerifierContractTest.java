package io.zkml.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The harness against a small contract with gnark's calling convention: {@code verifyProof(bytes,
 * uint256[2])} that returns nothing and reverts with a custom error. Checks our ABI encoding against
 * solc's decoder on a real chain.
 */
@EvmTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VerifierContractTest {

    private static final String SOURCE = """
            // SPDX-License-Identifier: MIT
            pragma solidity ^0.8.0;
            contract Verifier {
                error ProofInvalid();
                function verifyProof(bytes calldata proof, uint256[2] calldata input) public pure {
                    require(proof.length == 256, "invalid proof length");
                    if (uint8(proof[255]) != 42 || input[0] != 7 || input[1] != type(uint256).max) {
                        revert ProofInvalid();
                    }
                }
            }
            """;

    private CompiledContract compiled;
    private AnvilNode node;
    private VerifierContract contract;

    @BeforeAll
    void deploy() {
        compiled = SolidityCompiler.locate().compile("Verifier.sol", SOURCE, "Verifier");
        node = AnvilNode.start();
        contract = VerifierContract.deploy(node, compiled);
        assertThat(contract.deployedCodeSize()).isEqualTo(compiled.deployedSize());
        assertThat(contract.deploymentGasUsed()).isPositive();
    }

    @AfterAll
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private static byte[] proof(int last) {
        byte[] p = new byte[256];
        p[255] = (byte) last;
        return p;
    }

    private static final List<BigInteger> GOOD = List.of(BigInteger.valueOf(7), BigInteger.TWO.pow(256).subtract(BigInteger.ONE));

    @Test
    void acceptedCallDoesNotRevert() {
        VerifierContract.CallOutcome out = contract.call(VerifierContract.verifyProofCalldata(proof(42), GOOD));
        assertThat(out.success()).isTrue();
        assertThat(out.returnData()).isEmpty();
        assertThat(out.revertReason()).isNull();
    }

    @Test
    void rejectedCallRevertsWithTheDecodedCustomError() {
        VerifierContract.CallOutcome out = contract.call(VerifierContract.verifyProofCalldata(proof(41), GOOD));
        assertThat(out.success()).isFalse();
        assertThat(out.revertReason()).isEqualTo("ProofInvalid()");
        assertThat(contract.verify(proof(42), List.of(BigInteger.valueOf(8), GOOD.get(1)))).isFalse();
    }

    @Test
    void revertWithAStringReasonIsAlsoARejection() {
        VerifierContract.CallOutcome out = contract.call(VerifierContract.verifyProofCalldata(new byte[255], GOOD));
        assertThat(out.success()).isFalse();
        assertThat(out.revertReason()).contains("invalid proof length");
    }

    @Test
    void gasOfAVerificationTransaction() {
        byte[] calldata = VerifierContract.verifyProofCalldata(proof(42), GOOD);
        long estimate = contract.estimateGas(calldata);
        VerifierContract.TransactionOutcome tx = contract.transact(calldata);
        assertThat(tx.success()).isTrue();
        assertThat(tx.gasUsed()).isGreaterThan(21_000L).isLessThanOrEqualTo(estimate);
        assertThatThrownBy(() -> contract.estimateGas(VerifierContract.verifyProofCalldata(proof(1), GOOD)))
                .isInstanceOf(ChainException.class).hasMessageContaining("ProofInvalid()");
    }

    @Test
    void aNodeThatCannotBeReachedIsAnErrorNotARejection() {
        VerifierContract gone;
        try (AnvilNode other = AnvilNode.start()) {
            gone = VerifierContract.deploy(other, compiled);
            assertThat(gone.verify(proof(42), GOOD)).isTrue();
        }
        assertThatThrownBy(() -> gone.verify(proof(41), GOOD))
                .isInstanceOf(ChainException.class).hasMessageContaining("eth_call: cannot reach the node");
    }
}
