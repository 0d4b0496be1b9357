package io.zkml.contracts;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * A local Ethereum node: the pinned anvil from {@code verifier-contracts/node_modules}, started on a
 * free loopback port (anvil binds port 0 and prints the port it got) and stopped on {@link #close()}.
 *
 * <p>{@link #start} returns once anvil has printed that it listens and has answered a JSON-RPC
 * request, or throws after {@link #START_TIMEOUT}; there are no fixed sleeps. The chain uses anvil's
 * default funded dev accounts (unlocked: the node signs their transactions), automines every
 * transaction, and runs the hardfork {@link CompilerSettings#EVM_VERSION}, the EVM version solc
 * targets.
 */
public final class AnvilNode implements AutoCloseable {

    /** How long anvil may take to listen and answer. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** Funded, unlocked dev accounts anvil creates (its default mnemonic, 10,000 ETH each). */
    public static final int ACCOUNTS = 6;

    /**
     * The private keys of anvil's dev accounts (its default mnemonic {@code test test ... junk}):
     * public knowledge, for local development and tests only.
     */
    public static final List<String> DEV_PRIVATE_KEYS = List.of(
            "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
            "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
            "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
            "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6");

    private static final Pattern LISTENING = Pattern.compile("Listening on ([0-9.]+):(\\d+)");
    private static final int KEPT_LINES = 80;

    private final Process process;
    private final String host;
    private final int port;
    private final Web3j web3j;
    private final String version;
    private final long chainId;
    private final List<String> accounts;
    private final Deque<String> lastLines;
    private final Thread shutdownHook;

    private AnvilNode(Process process, String host, int port, Web3j web3j, String version, long chainId,
                      List<String> accounts, Deque<String> lastLines, Thread shutdownHook) {
        this.process = process;
        this.host = host;
        this.port = port;
        this.web3j = web3j;
        this.version = version;
        this.chainId = chainId;
        this.accounts = accounts;
        this.lastLines = lastLines;
        this.shutdownHook = shutdownHook;
    }

    /** Starts anvil from the {@linkplain ContractsToolchain#locate() located} toolchain. */
    public static AnvilNode start() {
        return start(ContractsToolchain.locate());
    }

    /**
     * Starts anvil and waits until its JSON-RPC endpoint answers.
     *
     * @throws ToolchainException if anvil is not installed, exits, or does not answer in time
     */
    public static AnvilNode start(ContractsToolchain toolchain) {
        return start(toolchain, true);
    }

    /**
     * Starts anvil and waits until its JSON-RPC endpoint answers.
     *
     * @param enforceCodeSizeLimits {@code true}: mainnet's limits on contract size (EIP-170) and init
     *     code size (EIP-3860), anvil's default; {@code false}: no limits, so that a verifier too large
     *     for mainnet can still be deployed and its gas measured
     * @throws ToolchainException if anvil is not installed, exits, or does not answer in time
     */
    public static AnvilNode start(ContractsToolchain toolchain, boolean enforceCodeSizeLimits) {
        return start(toolchain, enforceCodeSizeLimits, 0, 0);
    }

    /**
     * Starts anvil on {@code 127.0.0.1:port} ({@code 0}: any free port) that mines a block every
     * {@code blockTimeSeconds} ({@code 0}: only when a transaction arrives, anvil's default), so that
     * confirmation depths advance on their own.
     */
    public static AnvilNode start(ContractsToolchain toolchain, boolean enforceCodeSizeLimits, int listenPort, int blockTimeSeconds) {
        return start(toolchain, enforceCodeSizeLimits, listenPort, blockTimeSeconds, null);
    }

    /**
     * As {@link #start(ContractsToolchain, boolean, int, int)}, keeping the chain in {@code stateFile}
     * (anvil's {@code --state}: loaded at start when it exists, written every few seconds and on a
     * graceful exit), so that a development chain survives a restart; {@code null}: in memory only.
     */
    public static AnvilNode start(ContractsToolchain toolchain, boolean enforceCodeSizeLimits, int listenPort, int blockTimeSeconds,
                                  java.nio.file.Path stateFile) {
        Objects.requireNonNull(toolchain, "toolchain");
        List<String> command = new ArrayList<>(List.of(toolchain.anvilBinary().toString(),
                "--host", "127.0.0.1",
                "--port", String.valueOf(listenPort),
                "--hardfork", CompilerSettings.EVM_VERSION,
                "--accounts", String.valueOf(ACCOUNTS)));
        if (blockTimeSeconds > 0) {
            command.add("--block-time");
            command.add(String.valueOf(blockTimeSeconds));
        }
        if (!enforceCodeSizeLimits) {
            command.add("--disable-code-size-limit");
        }
        if (stateFile != null) {
            try {
                java.nio.file.Files.createDirectories(stateFile.toAbsolutePath().getParent());
            } catch (IOException e) {
                throw new ToolchainException("cannot create the folder of anvil's state file " + stateFile + ": " + e.getMessage(), e);
            }
            command.addAll(List.of("--state", stateFile.toAbsolutePath().toString(), "--state-interval", "5"));
        }
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new ToolchainException("cannot start anvil (" + command.getFirst() + "): " + e.getMessage(), e);
        }
        Thread hook = new Thread(process::destroyForcibly, "anvil-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        Deque<String> lastLines = new ArrayDeque<>();
        CompletableFuture<Matcher> listening = new CompletableFuture<>();
        Thread.ofVirtual().name("anvil-output").start(() -> drain(process, lastLines, listening));

        Web3j web3j = null;
        try {
            Matcher m = listening.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            String host = m.group(1);
            int port = Integer.parseInt(m.group(2));
            web3j = Web3j.build(new HttpService("http://" + host + ":" + port));
            // The socket is bound before the line is printed; one request proves the RPC answers.
            String version = web3j.web3ClientVersion().send().getWeb3ClientVersion();
            long chainId = web3j.ethChainId().send().getChainId().longValueExact();
            List<String> accounts = web3j.ethAccounts().send().getAccounts();
            if (accounts.isEmpty()) {
                throw new ToolchainException("anvil has no dev accounts");
            }
            return new AnvilNode(process, host, port, web3j, version, chainId, List.copyOf(accounts), lastLines, hook);
        } catch (TimeoutException e) {
            stop(process, hook, web3j);
            throw new ToolchainException("anvil did not listen within " + START_TIMEOUT.toSeconds() + " s; output:\n"
                    + tail(lastLines), e);
        } catch (ExecutionException e) {
            stop(process, hook, web3j);
            throw new ToolchainException(e.getCause().getMessage(), e.getCause());
        } catch (IOException | RuntimeException e) {
            stop(process, hook, web3j);
            throw new ToolchainException("anvil did not answer JSON-RPC: " + e.getMessage() + "; output:\n"
                    + tail(lastLines), e);
        } catch (InterruptedException e) {
            stop(process, hook, web3j);
            Thread.currentThread().interrupt();
            throw new ToolchainException("interrupted while starting anvil", e);
        }
    }

    /** The web3j client connected to this node. */
    public Web3j web3j() {
        return web3j;
    }

    /** The JSON-RPC endpoint, e.g. {@code http://127.0.0.1:41235}. */
    public String rpcUrl() {
        return "http://" + host + ":" + port;
    }

    public int port() {
        return port;
    }

    /** anvil's {@code web3_clientVersion}, e.g. {@code anvil/v1.7.1}. */
    public String clientVersion() {
        return version;
    }

    public long chainId() {
        return chainId;
    }

    /** The first funded, unlocked dev account: deploys contracts and sends transactions. */
    public String devAccount() {
        return accounts.getFirst();
    }

    /** All funded, unlocked dev accounts ({@link #ACCOUNTS}); the first is {@link #devAccount()}. */
    public List<String> accounts() {
        return accounts;
    }

    /**
     * Moves the chain's clock forward by {@code seconds} and mines a block ({@code evm_increaseTime},
     * {@code evm_mine}): for deadlines in tests.
     */
    public void advanceTime(long seconds) {
        HttpService service = new HttpService(rpcUrl());
        try {
            new org.web3j.protocol.core.Request<>("evm_increaseTime", List.of(seconds), service,
                    org.web3j.protocol.core.methods.response.VoidResponse.class).send();
            new org.web3j.protocol.core.Request<>("evm_mine", List.of(), service,
                    org.web3j.protocol.core.methods.response.VoidResponse.class).send();
        } catch (IOException e) {
            throw new ChainException("evm_increaseTime/evm_mine failed: " + e.getMessage(), e);
        }
    }

    /** Whether the anvil process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The OS process id of anvil. */
    public long pid() {
        return process.pid();
    }

    /** The last lines anvil printed (for diagnostics). */
    public String recentOutput() {
        return tail(lastLines);
    }

    /** Stops anvil (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
    @Override
    public void close() {
        stop(process, shutdownHook, web3j);
    }

    private static void stop(Process process, Thread hook, Web3j web3j) {
        if (web3j != null) {
            web3j.shutdown();
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
    }

    private static void drain(Process process, Deque<String> lastLines, CompletableFuture<Matcher> listening) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (lastLines) {
                    lastLines.addLast(line);
                    if (lastLines.size() > KEPT_LINES) {
                        lastLines.removeFirst();
                    }
                }
                if (!listening.isDone()) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        listening.complete(m);
                    }
                }
            }
        } catch (IOException e) {
            // the process was stopped
        }
        if (!listening.isDone()) {
            int code;
            try {
                code = process.waitFor();
            } catch (InterruptedException e) {
                code = -1;
            }
            listening.completeExceptionally(new ToolchainException("anvil exited with " + code
                    + " before listening; output:\n" + tail(lastLines)));
        }
    }

    private static String tail(Deque<String> lines) {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }
}
