package io.zkml.contracts;

import java.util.Objects;

/**
 * The solc settings that change the bytecode; recorded with every compiled contract.
 *
 * @param optimizer whether solc's optimizer runs
 * @param optimizerRuns the optimizer's {@code runs} parameter (expected executions per opcode:
 *     higher favours cheaper calls over smaller code)
 * @param evmVersion the EVM version solc targets; anvil is started with the same hardfork
 */
public record CompilerSettings(boolean optimizer, int optimizerRuns, String evmVersion) {

    /** The EVM version (hardfork) that both solc and anvil are pinned to. */
    public static final String EVM_VERSION = "osaka";

    /** Optimizer on with 200 runs (solc's default runs), EVM {@value #EVM_VERSION}. */
    public static CompilerSettings defaults() {
        return new CompilerSettings(true, 200, EVM_VERSION);
    }

    public CompilerSettings {
        Objects.requireNonNull(evmVersion, "evmVersion");
        if (optimizerRuns < 1) {
            throw new IllegalArgumentException("optimizerRuns must be >= 1, got " + optimizerRuns);
        }
    }
}
