package io.zkml.contracts;

import java.util.HexFormat;
import java.util.List;

/**
 * One contract compiled by solc.
 *
 * @param sourceName the source unit name given to solc (e.g. {@code Verifier.sol})
 * @param contractName the contract's name in that source
 * @param abiJson the contract's ABI as JSON
 * @param creationBytecode the init code sent in a deployment transaction
 * @param deployedBytecode the runtime code that a deployment stores on chain
 * @param compilerVersion solc's full version, e.g. {@code 0.8.37+commit.f401782d.Emscripten.clang}
 * @param settings the settings it was compiled with
 * @param warnings solc's formatted warnings (not errors: those throw)
 */
public record CompiledContract(String sourceName,
                               String contractName,
                               String abiJson,
                               byte[] creationBytecode,
                               byte[] deployedBytecode,
                               String compilerVersion,
                               CompilerSettings settings,
                               List<String> warnings) {

    /** EIP-170: the largest runtime code a contract may have on Ethereum mainnet (24 KiB). */
    public static final int MAX_DEPLOYED_SIZE = 24_576;

    /** EIP-3860: the largest init code a deployment may send (48 KiB). */
    public static final int MAX_INITCODE_SIZE = 49_152;

    public CompiledContract {
        creationBytecode = creationBytecode.clone();
        deployedBytecode = deployedBytecode.clone();
        warnings = List.copyOf(warnings);
    }

    @Override
    public byte[] creationBytecode() {
        return creationBytecode.clone();
    }

    @Override
    public byte[] deployedBytecode() {
        return deployedBytecode.clone();
    }

    /** Size of the runtime code in bytes: what EIP-170 limits. */
    public int deployedSize() {
        return deployedBytecode.length;
    }

    /** Size of the init code in bytes: what EIP-3860 limits. */
    public int creationSize() {
        return creationBytecode.length;
    }

    /** Whether mainnet would accept the deployment (EIP-170 and EIP-3860 limits). */
    public boolean fitsMainnetLimits() {
        return deployedSize() <= MAX_DEPLOYED_SIZE && creationSize() <= MAX_INITCODE_SIZE;
    }

    /** {@code 0x} + hex of the init code. */
    public String creationBytecodeHex() {
        return "0x" + HexFormat.of().formatHex(creationBytecode);
    }

    @Override
    public String toString() {
        return "CompiledContract[" + sourceName + ":" + contractName + ", deployedSize=" + deployedSize()
                + ", creationSize=" + creationSize() + ", solc " + compilerVersion + ", " + settings + "]";
    }
}
