package io.zkml.contracts;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthEstimateGas;
import org.web3j.protocol.core.methods.response.EthGetTransactionReceipt;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A deployed contract on an {@link AnvilNode}, called through web3j's ABI encoding from the node's
 * unlocked dev accounts: deploy with constructor arguments, send transactions (with value),
 * {@code eth_call}, decode events. A revert comes out as {@link Reverted} with the contract's custom
 * error decoded by name from its ABI (e.g. {@code ProofRejected(uint256)}), so tests can say which
 * check refused a call.
 */
public final class EvmContract {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HexFormat HEX = HexFormat.of();
    private static final Duration RECEIPT_TIMEOUT = Duration.ofSeconds(30);

    private final AnvilNode node;
    private final CompiledContract contract;
    private final String address;
    private final Map<String, String> errors;

    private EvmContract(AnvilNode node, CompiledContract contract, String address) {
        this(node, contract, address, errorSelectors(contract.abiJson()));
    }

    private EvmContract(AnvilNode node, CompiledContract contract, String address, Map<String, String> errors) {
        this.node = node;
        this.contract = contract;
        this.address = address;
        this.errors = errors;
    }

    /**
     * The same contract, also decoding the custom errors of {@code others}: errors of a contract it
     * calls bubble up through it (the oracle's reverts include the registry's {@code ProofRejected}).
     */
    public EvmContract knowingErrorsOf(CompiledContract... others) {
        Map<String, String> all = new HashMap<>(errors);
        for (CompiledContract o : others) {
            all.putAll(errorSelectors(o.abiJson()));
        }
        return new EvmContract(node, contract, address, all);
    }

    /** A revert, with the custom error (or {@code Error(string)} reason) decoded where the ABI knows it. */
    public static final class Reverted extends ChainException {
        private final String error;

        Reverted(String what, String error) {
            super(what + " reverted: " + error);
            this.error = error;
        }

        /** e.g. {@code ProofRejected(uint256)}, {@code Error(string)}, or the raw revert data. */
        public String error() {
            return error;
        }

        /** The error's name without its parameter types, e.g. {@code ProofRejected}. */
        public String errorName() {
            int p = error.indexOf('(');
            return p < 0 ? error : error.substring(0, p);
        }
    }

    /** A mined transaction: hash, gas used (from the receipt: intrinsic and calldata included), logs. */
    public record Tx(String hash, long gasUsed, long blockNumber, List<Log> logs) {
    }

    /** Deploys {@code contract} from {@code from} with ABI-encoded constructor arguments. */
    public static EvmContract deploy(AnvilNode node, CompiledContract contract, String from, Type<?>... constructorArgs) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(contract, "contract");
        String data = contract.creationBytecodeHex() + FunctionEncoder.encodeConstructor(List.of(constructorArgs));
        Transaction tx = Transaction.createContractTransaction(from, null, null, null, BigInteger.ZERO, data);
        EvmContract probe = new EvmContract(node, contract, null);
        long gas = probe.estimate(tx, "deployment of " + contract.contractName());
        tx = Transaction.createContractTransaction(from, null, null, BigInteger.valueOf(gas + gas / 5), BigInteger.ZERO, data);
        TransactionReceipt r = probe.mine(tx, "deployment of " + contract.contractName());
        if (r.getContractAddress() == null) {
            throw new ChainException("deployment of " + contract.contractName() + " left no contract address");
        }
        return new EvmContract(node, contract, r.getContractAddress());
    }

    /** A contract already deployed at {@code address} (its ABI is taken from {@code contract}). */
    public static EvmContract at(AnvilNode node, CompiledContract contract, String address) {
        return new EvmContract(node, contract, address);
    }

    public String address() {
        return address;
    }

    public CompiledContract compiled() {
        return contract;
    }

    /** Sends {@code function} from {@code from} with no value; throws {@link Reverted} if it would revert. */
    public Tx send(String from, Function function) {
        return send(from, function, BigInteger.ZERO);
    }

    /** Sends {@code function} from {@code from} with {@code weiValue}; throws {@link Reverted} if it would revert. */
    public Tx send(String from, Function function, BigInteger weiValue) {
        String data = FunctionEncoder.encode(function);
        String what = contract.contractName() + "." + function.getName();
        Transaction probe = Transaction.createFunctionCallTransaction(from, null, null, null, address, weiValue, data);
        long gas = estimate(probe, what);
        // Headroom: the estimate is the least gas that succeeds; the oracle's callback check wants more.
        Transaction tx = Transaction.createFunctionCallTransaction(from, null, null, BigInteger.valueOf(gas + gas / 5 + 50_000),
                address, weiValue, data);
        TransactionReceipt r = mine(tx, what);
        return new Tx(r.getTransactionHash(), r.getGasUsed().longValueExact(), r.getBlockNumber().longValueExact(), r.getLogs());
    }

    /** Sends {@code function} with exactly {@code gasLimit}; for tests of what too little gas does. */
    public Tx sendWithGas(String from, Function function, long gasLimit) {
        String data = FunctionEncoder.encode(function);
        String what = contract.contractName() + "." + function.getName();
        Transaction tx = Transaction.createFunctionCallTransaction(from, null, null, BigInteger.valueOf(gasLimit),
                address, BigInteger.ZERO, data);
        TransactionReceipt r = mine(tx, what);
        return new Tx(r.getTransactionHash(), r.getGasUsed().longValueExact(), r.getBlockNumber().longValueExact(), r.getLogs());
    }

    /** {@code eth_call} of a view function; the decoded return values. */
    @SuppressWarnings("rawtypes")
    public List<Type> call(Function function) {
        String data = FunctionEncoder.encode(function);
        String what = contract.contractName() + "." + function.getName();
        Transaction tx = Transaction.createEthCallTransaction(node.devAccount(), address, data);
        EthCall r = rpc(() -> node.web3j().ethCall(tx, DefaultBlockParameterName.LATEST).send(), "eth_call");
        if (r.hasError()) {
            throw reverted(what, r.getError());
        }
        if (r.isReverted()) {
            throw new Reverted(what, decode(r.getRevertReason()));
        }
        return FunctionReturnDecoder.decode(r.getValue(), function.getOutputParameters());
    }

    /** The first return value of a view function. */
    @SuppressWarnings("unchecked")
    public <T> T callSingle(Function function) {
        List<?> out = call(function);
        if (out.isEmpty()) {
            throw new ChainException(function.getName() + " returned nothing");
        }
        return (T) ((Type<?>) out.getFirst()).getValue();
    }

    /** The logs of {@code tx} emitted by this contract for {@code event}, non-indexed values decoded. */
    @SuppressWarnings("rawtypes")
    public List<List<Type>> events(Tx tx, Event event) {
        String topic = EventEncoder.encode(event);
        List<List<Type>> out = new ArrayList<>();
        for (Log log : tx.logs()) {
            if (log.getAddress().equalsIgnoreCase(address) && !log.getTopics().isEmpty()
                    && log.getTopics().getFirst().equals(topic)) {
                out.add(FunctionReturnDecoder.decode(log.getData(), event.getNonIndexedParameters()));
            }
        }
        return out;
    }

    private long estimate(Transaction tx, String what) {
        EthEstimateGas r = rpc(() -> node.web3j().ethEstimateGas(tx).send(), "eth_estimateGas");
        if (r.hasError()) {
            throw reverted(what, r.getError());
        }
        return r.getAmountUsed().longValueExact();
    }

    private TransactionReceipt mine(Transaction tx, String what) {
        Web3j w = node.web3j();
        EthSendTransaction sent = rpc(() -> w.ethSendTransaction(tx).send(), "eth_sendTransaction");
        if (sent.hasError()) {
            throw reverted(what, sent.getError());
        }
        String hash = sent.getTransactionHash();
        long deadline = System.nanoTime() + RECEIPT_TIMEOUT.toNanos();
        while (true) {
            EthGetTransactionReceipt r = rpc(() -> w.ethGetTransactionReceipt(hash).send(), "eth_getTransactionReceipt");
            Optional<TransactionReceipt> receipt = r.getTransactionReceipt();
            if (receipt.isPresent()) {
                if (!receipt.get().isStatusOK()) {
                    throw new Reverted(what, "status " + receipt.get().getStatus() + " (gas used "
                            + receipt.get().getGasUsed() + ")");
                }
                return receipt.get();
            }
            if (System.nanoTime() > deadline) {
                throw new ChainException(what + ": no receipt for " + hash + " within " + RECEIPT_TIMEOUT.toSeconds() + " s");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChainException("interrupted waiting for " + hash, e);
            }
        }
    }

    private ChainException reverted(String what, Response.Error e) {
        String msg = e.getMessage() == null ? "" : e.getMessage();
        if (e.getCode() == 3 || msg.contains("revert")) {
            return new Reverted(what, decode(e.getData()));
        }
        return new ChainException(what + " rejected: " + msg);
    }

    private String decode(String data) {
        if (data == null) {
            return "(no revert data)";
        }
        data = data.strip();
        if (data.length() >= 2 && data.startsWith("\"") && data.endsWith("\"")) {
            data = data.substring(1, data.length() - 1);
        }
        if (data.length() < 10 || !data.startsWith("0x")) {
            return data.isEmpty() ? "(no revert data)" : data;
        }
        String sel = data.substring(0, 10).toLowerCase(Locale.ROOT);
        String known = errors.get(sel);
        if (known != null) {
            return known;
        }
        if (sel.equals("0x08c379a0")) { // Error(string)
            @SuppressWarnings({"rawtypes", "unchecked"})
            List<org.web3j.abi.TypeReference<Type>> out = (List) List.of(
                    new org.web3j.abi.TypeReference<org.web3j.abi.datatypes.Utf8String>() { });
            List<Type> v = FunctionReturnDecoder.decode("0x" + data.substring(10), out);
            return "Error(" + (v.isEmpty() ? "" : v.getFirst().getValue()) + ")";
        }
        if (sel.equals("0x4e487b71")) {
            return "Panic(" + data.substring(10) + ")";
        }
        return data;
    }

    /** selector (0x + 8 hex) to signature of every custom error in an ABI, plus gnark's verifier errors. */
    static Map<String, String> errorSelectors(String abiJson) {
        Map<String, String> out = new HashMap<>();
        for (String gnark : List.of("ProofInvalid()", "PublicInputNotInField()", "CommitmentInvalid()")) {
            out.put(Hash.sha3String(gnark).substring(0, 10), gnark);
        }
        JsonNode abi = JSON.readTree(abiJson);
        for (JsonNode item : abi) {
            if (!"error".equals(item.path("type").asString())) {
                continue;
            }
            List<String> types = new ArrayList<>();
            for (JsonNode in : item.path("inputs")) {
                types.add(in.path("type").asString());
            }
            String sig = item.path("name").asString() + "(" + String.join(",", types) + ")";
            out.put(Hash.sha3String(sig).substring(0, 10), sig);
        }
        return out;
    }

    private interface Rpc<T> {
        T send() throws IOException;
    }

    private static <T> T rpc(Rpc<T> call, String method) {
        try {
            return call.send();
        } catch (IOException e) {
            throw new ChainException(method + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return contract.contractName() + "@" + address;
    }

    static String hex(byte[] b) {
        return "0x" + HEX.formatHex(b);
    }
}
