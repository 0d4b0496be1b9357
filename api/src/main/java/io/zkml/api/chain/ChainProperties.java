package io.zkml.api.chain;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The service's chain side ({@code zkml.chain.*}, docs/relayer.md): deploying verifiers and
 * registering circuits in the {@code ZkmlRegistry}, and the relayer that fulfils
 * {@code ZkmlOracle} requests. Off unless {@code enabled}.
 *
 * @param enabled whether this process talks to a chain at all (default {@code false})
 * @param name the chain's name in the API ({@code "chain"} of a deployment request) (default {@code local})
 * @param rpcUrl JSON-RPC endpoint; required unless {@code localNode.enabled}
 * @param chainId the expected {@code eth_chainId}; the service refuses to start on another chain
 *     (signatures are chain-bound, EIP-155) (default: whatever the node says, for the local node only)
 * @param signer the key that signs deployments and fulfilments; never taken from a request, never logged
 * @param confirmations blocks a request must be buried under before the relayer acts on it: a
 *     reorg shallower than this cannot undo a request the relayer saw (default {@code 2})
 * @param pollInterval how often the relayer looks for new blocks and finished proofs (default {@code 1s})
 * @param maxBlocksPerScan most blocks one {@code eth_getLogs} asks for (default {@code 500})
 * @param registryAddress the {@code ZkmlRegistry} to register circuits in
 * @param oracleAddress the {@code ZkmlOracle} whose requests the relayer fulfils
 * @param deployContracts deploy a registry and an oracle at start when the addresses are not set
 *     (development; default {@code false})
 * @param startBlock where the relayer starts scanning on a chain it has no cursor for (default {@code 0})
 * @param relayer whether this process runs the relayer loop (default {@code true}; several API
 *     nodes should leave it to one process per signer key)
 * @param localNode a local anvil started by the service itself, for {@code make run}
 * @param reorgRescanBlocks how far back the relayer scans again when the last block it scanned is
 *     no longer in the chain (a reorg deeper than {@code confirmations}) (default {@code 128})
 */
@ConfigurationProperties("zkml.chain")
public record ChainProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("local") String name,
        String rpcUrl,
        Long chainId,
        @DefaultValue Signer signer,
        @DefaultValue("2") int confirmations,
        @DefaultValue("1s") Duration pollInterval,
        @DefaultValue("500") int maxBlocksPerScan,
        String registryAddress,
        String oracleAddress,
        @DefaultValue("false") boolean deployContracts,
        @DefaultValue("0") long startBlock,
        @DefaultValue("true") boolean relayer,
        @DefaultValue LocalNode localNode,
        @DefaultValue("128") int reorgRescanBlocks) {

    public ChainProperties {
        if (confirmations < 0) {
            throw new IllegalArgumentException("zkml.chain.confirmations must be >= 0, got " + confirmations);
        }
        if (maxBlocksPerScan < 1) {
            throw new IllegalArgumentException("zkml.chain.max-blocks-per-scan must be >= 1, got " + maxBlocksPerScan);
        }
        if (reorgRescanBlocks < 1) {
            throw new IllegalArgumentException("zkml.chain.reorg-rescan-blocks must be >= 1, got " + reorgRescanBlocks);
        }
        if (name == null || !name.matches("[a-z0-9][a-z0-9-]{0,31}")) {
            throw new IllegalArgumentException("zkml.chain.name must be 1-32 of [a-z0-9-], got " + name);
        }
    }

    /**
     * The signing key: a hex private key ({@code ZKML_CHAIN_SIGNER_PRIVATEKEY} in the environment),
     * or a standard Ethereum keystore file and its password. Its {@link #toString()} never shows them.
     *
     * @param privateKey 0x-hex secp256k1 private key
     * @param keystoreFile a UTC/JSON keystore (web3j {@code WalletUtils})
     * @param keystorePassword the keystore's password
     */
    public record Signer(String privateKey, Path keystoreFile, String keystorePassword) {
        @Override
        public String toString() {
            return "Signer[" + (privateKey != null ? "privateKey=<set>" : keystoreFile != null ? "keystoreFile=" + keystoreFile : "none")
                    + "]";
        }
    }

    /**
     * @param enabled start anvil (verifier-contracts' pinned npm package) on {@code 127.0.0.1:port},
     *     mining a block every {@code blockTime}; with no signer configured, its first dev account
     *     (a publicly known key) signs. Development only.
     * @param port the RPC port (default {@code 8545})
     * @param blockTime seconds between blocks (default {@code 1})
     * @param stateFile where anvil keeps the chain between runs ({@code --state}; default none: a
     *     new chain each start). When the chain turns out newer than what the database remembers of
     *     it (the file was deleted), the service forgets that chain's deployments, requests and cursor.
     * @param optional when anvil or solc is not installed, log one line and run without a chain
     *     instead of refusing to start ({@code make run}; default {@code false})
     * @param infoFile a JSON file the addresses, chain id, RPC URL and dev accounts are written to at
     *     start, for scripts and the README walkthrough (default none; {@code make run}: {@code .zkml/chain.json})
     */
    public record LocalNode(@DefaultValue("false") boolean enabled, @DefaultValue("8545") int port,
                            @DefaultValue("1") int blockTime, Path stateFile, @DefaultValue("false") boolean optional,
                            Path infoFile) {
    }
}
