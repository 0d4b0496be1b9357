package io.zkml.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A contract over EIP-170's 24 KiB: mainnet (and anvil by default) refuses it; the harness says so. */
@EvmTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CodeSizeLimitTest {

    private CompiledContract big;

    @BeforeAll
    void compile() {
        // 25,000 bytes of constant data end up in the runtime code.
        String data = "ab".repeat(25_000);
        String source = """
                // SPDX-License-Identifier: MIT
                pragma solidity ^0.8.0;
                contract Big {
                    function blob() external pure returns (bytes memory) { return hex"%s"; }
                }
                """.formatted(data);
        big = SolidityCompiler.locate().compile("Big.sol", source, "Big");
    }

    @Test
    void compiledSizeIsOverTheLimit() {
        assertThat(big.deployedSize()).isGreaterThan(CompiledContract.MAX_DEPLOYED_SIZE);
        assertThat(big.fitsMainnetLimits()).isFalse();
    }

    @Test
    void deploymentFailsWithMainnetLimits() {
        try (AnvilNode node = AnvilNode.start()) {
            assertThatThrownBy(() -> VerifierContract.deploy(node, big))
                    .isInstanceOf(ChainException.class)
                    .hasMessageContaining("deployment of Big")
                    .hasMessageContaining("EIP-170 limit 24576");
        }
    }

    @Test
    void deploymentSucceedsWhenTheLimitIsLifted() {
        try (AnvilNode node = AnvilNode.start(ContractsToolchain.locate(), false)) {
            VerifierContract c = VerifierContract.deploy(node, big);
            assertThat(c.deployedCodeSize()).isEqualTo(big.deployedSize());
        }
    }
}
