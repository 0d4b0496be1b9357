package io.zkml.api.chain;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthEstimateGas;
import org.web3j.protocol.core.methods.response.EthGetTransactionReceipt;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * JSON-RPC to one chain with one signing key: EIP-1559 transactions signed locally (EIP-155 chain
 * id), nonces taken from the node's pending count under a lock (one signer per process: two
 * processes with the same key would race for nonces), gas estimated and given 20 % headroom.
 * Transactions can be signed first and sent later ({@link #sign}, {@link #broadcast}), so a caller
 * can store the exact bytes before they leave and re-send the same transaction after a crash.
 */
public final class ChainClient implements AutoCloseable {

    /** A signed transaction: its hash is known before it is sent. */
    public record SignedTx(String hash, String raw, BigInteger nonce) {
    }

    /** A call or transaction the node refused: a revert (with its data) or another RPC error. */
    public static final class ChainCallException extends RuntimeException {
        private final String revertData;

        ChainCallException(String message, String revertData) {
            super(message);
            this.revertData = revertData;
        }

        /** 0x-hex revert data, or null when this is not a revert. */
        public String revertData() {
            return revertData;
        }

        public boolean isRevert() {
            return revertData != null;
        }
    }

    private final Web3j web3j;
    private final Credentials credentials;
    private final long chainId;
    private final ReentrantLock nonceLock = new ReentrantLock();

    public ChainClient(Web3j web3j, Credentials credentials, long chainId) {
        this.web3j = Objects.requireNonNull(web3j, "web3j");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.chainId = chainId;
    }

    public String address() {
        return credentials.getAddress();
    }

    public long chainId() {
        return chainId;
    }

    public Web3j web3j() {
        return web3j;
    }

    public long blockNumber() {
        return rpc(() -> web3j.ethBlockNumber().send(), "eth_blockNumber").getBlockNumber().longValueExact();
    }

    public long latestTimestamp() {
        EthBlock b = rpc(() -> web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send(), "eth_getBlockByNumber");
        return b.getBlock().getTimestamp().longValueExact();
    }

    /** The hash of block {@code number}, or null when the chain has no such block (yet). */
    public String blockHash(long number) {
        EthBlock b = rpc(() -> web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(number)), false).send(),
                "eth_getBlockByNumber");
        return b.getBlock() == null ? null : b.getBlock().getHash();
    }

    /** Bytes of code at {@code address} (0: no contract). */
    public int codeSize(String address) {
        String code = rpc(() -> web3j.ethGetCode(address, DefaultBlockParameterName.LATEST).send(), "eth_getCode").getCode();
        return code == null || code.length() < 2 ? 0 : (code.length() - 2) / 2;
    }

    /** {@code eth_call} from this signer's address; the 0x-hex return data. */
    public String call(String to, String data) {
        Transaction tx = Transaction.createEthCallTransaction(address(), to, data);
        EthCall r = rpc(() -> web3j.ethCall(tx, DefaultBlockParameterName.LATEST).send(), "eth_call");
        if (r.hasError()) {
            throw failure("eth_call to " + to, r.getError());
        }
        if (r.isReverted()) {
            throw new ChainCallException("eth_call to " + to + " reverted", r.getRevertReason());
        }
        return r.getValue();
    }

    /** Logs of {@code address} with first topic {@code topic0} in blocks {@code [from, to]}. */
    public List<Log> logs(String address, String topic0, long from, long to) {
        EthFilter f = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
                DefaultBlockParameter.valueOf(BigInteger.valueOf(to)), address);
        f.addSingleTopic(topic0);
        EthLog r = rpc(() -> web3j.ethGetLogs(f).send(), "eth_getLogs");
        if (r.hasError()) {
            throw failure("eth_getLogs", r.getError());
        }
        return r.getLogs().stream().map(l -> (Log) l.get()).toList();
    }

    /**
     * Estimates, signs and returns a transaction to {@code to} ({@code null}: contract creation) without
     * sending it. Throws {@link ChainCallException} when the node says it would revert. The nonce is
     * the node's pending count: sign and {@link #broadcast} one transaction at a time (the caller holds
     * {@link #lock()} across both), or a second signature would reuse the nonce.
     */
    public SignedTx sign(String to, String data, BigInteger value) {
        Transaction probe = new Transaction(address(), null, null, null, to, value, data);
        EthEstimateGas est = rpc(() -> web3j.ethEstimateGas(probe).send(), "eth_estimateGas");
        if (est.hasError()) {
            throw failure(to == null ? "contract creation" : "transaction to " + to, est.getError());
        }
        BigInteger gas = est.getAmountUsed();
        gas = gas.add(gas.divide(BigInteger.valueOf(5))).add(BigInteger.valueOf(25_000));
        BigInteger nonce = rpc(() -> web3j.ethGetTransactionCount(address(), DefaultBlockParameterName.PENDING).send(),
                "eth_getTransactionCount").getTransactionCount();
        BigInteger tip = rpc(() -> web3j.ethMaxPriorityFeePerGas().send(), "eth_maxPriorityFeePerGas").getMaxPriorityFeePerGas();
        BigInteger base = rpc(() -> web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send(),
                "eth_getBlockByNumber").getBlock().getBaseFeePerGas();
        BigInteger maxFee = (base == null ? BigInteger.ZERO : base.shiftLeft(1)).add(tip);
        RawTransaction raw = RawTransaction.createTransaction(chainId, nonce, gas, to == null ? "" : to, value, data, tip, maxFee);
        byte[] signed = TransactionEncoder.signMessage(raw, chainId, credentials);
        return new SignedTx(Hash.sha3(hex(signed)), hex(signed), nonce);
    }

    /**
     * Sends a signed transaction. Sending one the node already has (same bytes) is not an error:
     * that is how a restart re-sends what it signed before it stopped.
     */
    public void broadcast(SignedTx tx) {
        EthSendTransaction r = rpc(() -> web3j.ethSendRawTransaction(tx.raw()).send(), "eth_sendRawTransaction");
        if (r.hasError()) {
            String msg = String.valueOf(r.getError().getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (msg.contains("already known") || msg.contains("already imported") || msg.contains("nonce too low")) {
                return; // known, or mined already: its receipt tells what happened
            }
            throw failure("eth_sendRawTransaction " + tx.hash(), r.getError());
        }
    }

    /** The lock to hold across {@link #sign} and {@link #broadcast} of one transaction. */
    public ReentrantLock lock() {
        return nonceLock;
    }

    /** Signs and sends under the nonce lock, then waits for the receipt; a revert is a {@link ChainCallException}. */
    public TransactionReceipt transact(String to, String data, BigInteger value, Duration timeout) {
        SignedTx tx;
        nonceLock.lock();
        try {
            tx = sign(to, data, value);
            broadcast(tx);
        } finally {
            nonceLock.unlock();
        }
        TransactionReceipt r = waitForReceipt(tx.hash(), timeout);
        if (!r.isStatusOK()) {
            throw new ChainCallException("transaction " + tx.hash() + " reverted (status " + r.getStatus() + ")", "0x");
        }
        return r;
    }

    public Optional<TransactionReceipt> receipt(String hash) {
        EthGetTransactionReceipt r = rpc(() -> web3j.ethGetTransactionReceipt(hash).send(), "eth_getTransactionReceipt");
        if (r.hasError()) {
            throw failure("eth_getTransactionReceipt", r.getError());
        }
        return r.getTransactionReceipt();
    }

    public TransactionReceipt waitForReceipt(String hash, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long sleep = 10;
        while (true) {
            Optional<TransactionReceipt> r = receipt(hash);
            if (r.isPresent()) {
                return r.get();
            }
            if (System.nanoTime() > deadline) {
                throw new ChainCallException("no receipt for " + hash + " within " + timeout.toSeconds() + " s", null);
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChainCallException("interrupted waiting for " + hash, null);
            }
            sleep = Math.min(sleep * 2, 500);
        }
    }

    @Override
    public void close() {
        web3j.shutdown();
    }

    private static ChainCallException failure(String what, Response.Error e) {
        String msg = e.getMessage() == null ? "" : e.getMessage();
        boolean revert = e.getCode() == 3 || msg.contains("revert");
        String data = e.getData();
        if (data != null && data.startsWith("\"") && data.endsWith("\"") && data.length() >= 2) {
            data = data.substring(1, data.length() - 1);
        }
        return new ChainCallException(what + (revert ? " would revert" : " failed") + ": " + msg
                + (data != null ? " (data " + data + ")" : ""), revert ? (data == null ? "0x" : data) : null);
    }

    static String hex(byte[] b) {
        return "0x" + HexFormat.of().formatHex(b);
    }

    interface Rpc<T> {
        T send() throws IOException;
    }

    /** An RPC that could not be made at all (node down, connection refused) is a {@link ChainUnavailableException}. */
    static <T> T rpc(Rpc<T> call, String method) {
        try {
            return call.send();
        } catch (IOException e) {
            throw new ChainUnavailableException(method + ": the node did not answer (" + e.getMessage() + ")", e);
        }
    }
}
