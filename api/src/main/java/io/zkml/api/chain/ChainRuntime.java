package io.zkml.api.chain;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.crypto.exception.CipherException;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.WalletUtils;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import tools.jackson.databind.json.JsonMapper;

import io.zkml.contracts.AnvilNode;
import io.zkml.contracts.CompiledContract;
import io.zkml.contracts.ContractsToolchain;
import io.zkml.contracts.SolidityCompiler;
import io.zkml.contracts.ZkmlContracts;

/**
 * The configured chain, connected: the node (a local anvil when {@code zkml.chain.local-node}), the
 * signer, the pinned Solidity compiler (gnark verifiers are compiled per circuit) and the registry
 * and oracle contracts in use. Built once at start; fails the start with one clear message when the
 * settings are incomplete or the node disagrees with them.
 */
public final class ChainRuntime implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChainRuntime.class);
    static final Duration TX_TIMEOUT = Duration.ofMinutes(5);

    private final ChainProperties props;
    private final AnvilNode localNode;
    private final ChainClient client;
    private final SolidityCompiler solc;
    private final String registryAddress;
    private final String oracleAddress;

    private ChainRuntime(ChainProperties props, AnvilNode localNode, ChainClient client, SolidityCompiler solc,
                         String registryAddress, String oracleAddress) {
        this.props = props;
        this.localNode = localNode;
        this.client = client;
        this.solc = solc;
        this.registryAddress = registryAddress;
        this.oracleAddress = oracleAddress;
    }

    public static ChainRuntime start(ChainProperties props) {
        AnvilNode local = null;
        String rpcUrl = props.rpcUrl();
        SolidityCompiler solc;
        try {
            solc = SolidityCompiler.locate();
        } catch (RuntimeException e) {
            throw new IllegalStateException("zkml.chain.enabled needs the pinned Solidity compiler of verifier-contracts "
                    + "(node + npm ci there): " + e.getMessage(), e);
        }
        try {
            if (props.localNode().enabled()) {
                local = AnvilNode.start(ContractsToolchain.locate(), true, props.localNode().port(), props.localNode().blockTime(),
                        props.localNode().stateFile());
                rpcUrl = local.rpcUrl();
                log.warn("zkml.chain.local-node: started anvil at {} (development only: its dev keys are public)", rpcUrl);
            }
            if (rpcUrl == null || rpcUrl.isBlank()) {
                throw new IllegalStateException("zkml.chain.enabled=true needs zkml.chain.rpc-url (or zkml.chain.local-node.enabled=true)");
            }
            Web3j web3j = Web3j.build(new HttpService(rpcUrl));
            long nodeChainId = ChainClient.rpc(() -> web3j.ethChainId().send(), "eth_chainId").getChainId().longValueExact();
            if (props.chainId() != null && props.chainId() != nodeChainId) {
                web3j.shutdown();
                throw new IllegalStateException("zkml.chain.chain-id is " + props.chainId() + " but the node at " + rpcUrl
                        + " says " + nodeChainId + ": refusing to sign for the wrong chain");
            }
            if (props.chainId() == null && local == null) {
                web3j.shutdown();
                throw new IllegalStateException("zkml.chain.chain-id is required for a node the service did not start "
                        + "(the node at " + rpcUrl + " says " + nodeChainId + ")");
            }
            ChainClient client = new ChainClient(web3j, credentials(props, local != null), nodeChainId);
            String registry = props.registryAddress();
            String oracle = props.oracleAddress();
            if ((registry == null || oracle == null) && !(props.deployContracts() || local != null)) {
                throw new IllegalStateException("zkml.chain.registry-address and zkml.chain.oracle-address are required "
                        + "(or zkml.chain.deploy-contracts=true to deploy new ones)");
            }
            if (local != null && registry == null && oracle == null && props.localNode().infoFile() != null) {
                String[] kept = previousContracts(props.localNode().infoFile(), client, nodeChainId);
                if (kept != null) {
                    registry = kept[0];
                    oracle = kept[1];
                    log.info("zkml.chain: the local chain kept its state: using the registry {} and oracle {} of the last run",
                            registry, oracle);
                }
            }
            ZkmlContracts contracts = new ZkmlContracts(solc);
            if (registry == null) {
                registry = deploy(client, contracts.registry(), "");
                log.info("zkml.chain: deployed ZkmlRegistry at {}", registry);
            }
            if (oracle == null) {
                oracle = deploy(client, contracts.oracle(), FunctionEncoder.encodeConstructor(List.of(new Address(registry))));
                log.info("zkml.chain: deployed ZkmlOracle at {}", oracle);
            }
            for (String a : List.of(registry, oracle)) {
                if (client.codeSize(a) == 0) {
                    throw new IllegalStateException("zkml.chain: no contract at " + a + " on chain " + nodeChainId);
                }
            }
            log.info("zkml.chain '{}': chain id {}, signer {}, registry {}, oracle {}, confirmations {}", props.name(),
                    nodeChainId, client.address(), registry, oracle, props.confirmations());
            ChainRuntime rt = new ChainRuntime(props, local, client, solc, registry, oracle);
            if (local != null && props.localNode().infoFile() != null) {
                rt.writeInfoFile(props.localNode().infoFile(), local.accounts());
            }
            return rt;
        } catch (RuntimeException e) {
            if (local != null) {
                local.close();
            }
            throw e;
        }
    }

    /** The registry and oracle of the last run's info file, when both still have code on this chain; else null. */
    private static String[] previousContracts(Path infoFile, ChainClient client, long chainId) {
        if (!Files.isRegularFile(infoFile)) {
            return null;
        }
        try {
            tools.jackson.databind.JsonNode n = JsonMapper.builder().build().readTree(Files.readString(infoFile));
            String registry = n.path("registryAddress").asString("");
            String oracle = n.path("oracleAddress").asString("");
            if (n.path("chainId").asLong() != chainId || !registry.matches("0x[0-9a-fA-F]{40}") || !oracle.matches("0x[0-9a-fA-F]{40}")) {
                return null;
            }
            return client.codeSize(registry) > 0 && client.codeSize(oracle) > 0 ? new String[] {registry, oracle} : null;
        } catch (IOException | RuntimeException e) {
            log.warn("zkml.chain: ignoring {}: {}", infoFile, e.getMessage());
            return null;
        }
    }

    private static String deploy(ChainClient client, CompiledContract c, String encodedArgs) {
        TransactionReceipt r = client.transact(null, c.creationBytecodeHex() + encodedArgs, BigInteger.ZERO, TX_TIMEOUT);
        return r.getContractAddress();
    }

    private static Credentials credentials(ChainProperties props, boolean localNode) {
        ChainProperties.Signer s = props.signer();
        if (s.privateKey() != null && !s.privateKey().isBlank()) {
            String k = s.privateKey().strip();
            if (!k.matches("(0x)?[0-9a-fA-F]{64}")) {
                throw new IllegalStateException("zkml.chain.signer.private-key is not 32 bytes of hex");
            }
            return Credentials.create(k);
        }
        if (s.keystoreFile() != null) {
            try {
                return WalletUtils.loadCredentials(s.keystorePassword() == null ? "" : s.keystorePassword(), s.keystoreFile().toFile());
            } catch (IOException | CipherException e) {
                throw new IllegalStateException("zkml.chain.signer.keystore-file " + s.keystoreFile() + " cannot be opened: "
                        + e.getClass().getSimpleName(), e);
            }
        }
        if (localNode) {
            return Credentials.create(AnvilNode.DEV_PRIVATE_KEYS.getFirst());
        }
        throw new IllegalStateException("zkml.chain needs a signer: zkml.chain.signer.private-key "
                + "(environment ZKML_CHAIN_SIGNER_PRIVATEKEY) or zkml.chain.signer.keystore-file");
    }

    public ChainProperties props() {
        return props;
    }

    public String name() {
        return props.name();
    }

    public ChainClient client() {
        return client;
    }

    public SolidityCompiler solc() {
        return solc;
    }

    private volatile CompiledContract lendingPool;

    /** The example consumer {@code RiskBasedLendingPool}, compiled by the pinned solc on first use. */
    public CompiledContract lendingPool() {
        CompiledContract c = lendingPool;
        if (c == null) {
            c = new ZkmlContracts(solc).lendingPool();
            lendingPool = c;
        }
        return c;
    }

    public String registryAddress() {
        return registryAddress;
    }

    public String oracleAddress() {
        return oracleAddress;
    }

    /** What a client needs to talk to this chain: {@code GET /v1/chain} and {@code zkml.chain.local-node.info-file}. */
    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("chain", props.name());
        m.put("chainId", client.chainId());
        if (localNode != null) {
            m.put("rpcUrl", localNode.rpcUrl());
            m.put("localNode", true);
        }
        m.put("registryAddress", registryAddress);
        m.put("oracleAddress", oracleAddress);
        m.put("relayerAddress", client.address());
        m.put("confirmations", props.confirmations());
        return m;
    }

    private void writeInfoFile(Path file, List<String> devAccounts) {
        Map<String, Object> m = info();
        m.put("devAccounts", devAccounts);
        try {
            Path abs = file.toAbsolutePath();
            Files.createDirectories(abs.getParent());
            Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
            Files.writeString(tmp, JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(m) + "\n");
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            log.info("zkml.chain: local chain at {} (chain id {}); registry {}, oracle {}; written to {}", localNode.rpcUrl(),
                    client.chainId(), registryAddress, oracleAddress, abs);
        } catch (IOException e) {
            log.warn("zkml.chain: cannot write {}: {}", file, e.getMessage());
        }
    }

    /** The RPC URL of the node the service started itself, or null. */
    public String localRpcUrl() {
        return localNode == null ? null : localNode.rpcUrl();
    }

    @Override
    public void close() {
        client.close();
        if (localNode != null) {
            localNode.close();
        }
    }
}
