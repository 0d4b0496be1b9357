package io.zkml.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

@EvmTest
class SolidityCompilerTest {

    private static final String SOURCE = """
            // SPDX-License-Identifier: MIT
            pragma solidity ^0.8.0;
            contract Adder {
                function add(uint256 a, uint256 b) external pure returns (uint256) { return a + b; }
            }
            """;

    private final SolidityCompiler compiler = SolidityCompiler.locate();

    @Test
    void compilesWithThePinnedSolcAndRecordsItsSettings() {
        CompiledContract c = compiler.compile("Adder.sol", SOURCE, "Adder");

        assertThat(c.compilerVersion()).startsWith("0.8.37+commit.");
        assertThat(compiler.toolchain().solcPackageVersion()).isEqualTo("0.8.37");
        assertThat(c.settings()).isEqualTo(CompilerSettings.defaults());
        assertThat(c.abiJson()).contains("\"name\":\"add\"");
        assertThat(c.deployedSize()).isPositive().isLessThan(c.creationSize());
        assertThat(c.fitsMainnetLimits()).isTrue();
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void isDeterministic() {
        CompiledContract a = compiler.compile("Adder.sol", SOURCE, "Adder");
        CompiledContract b = compiler.compile("Adder.sol", SOURCE, "Adder");
        assertThat(a.deployedBytecode()).isEqualTo(b.deployedBytecode());
    }

    @Test
    void failsWithSolcsMessageOnACompileError() {
        String broken = SOURCE.replace("return a + b;", "return a + c;");
        assertThatThrownBy(() -> compiler.compile("Adder.sol", broken, "Adder"))
                .isInstanceOf(SolidityCompilationException.class)
                .hasMessageContaining("Adder.sol")
                .hasMessageContaining("Undeclared identifier")
                .satisfies(e -> assertThat(((SolidityCompilationException) e).errors()).hasSize(1));
    }

    @Test
    void failsClearlyWhenTheContractIsNotInTheSource() {
        assertThatThrownBy(() -> compiler.compile("Adder.sol", SOURCE, "Verifier"))
                .isInstanceOf(SolidityCompilationException.class)
                .hasMessageContaining("no contract Verifier in Adder.sol (found [Adder])");
    }
}
