package io.zkml.cli;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint16;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint32;
import org.web3j.abi.datatypes.generated.Uint64;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthEstimateGas;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.InputValidationException;
import io.zkml.compiler.ir.IrValidationException;
import io.zkml.prover.Bn254;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code zkml chain}: the requester's side of the on-chain oracle (docs/relayer.md). The service
 * deploys and fulfils; these commands are what a borrower or a DeFi developer does with a wallet:
 * ask for a proven prediction on chain and read what the consumer did with it. Transactions are
 * signed here with the key of {@code ZKML_CHAIN_PRIVATE_KEY}, or with one of anvil's public dev
 * keys ({@code --dev-account}, local chains only); a key is never taken from the command line.
 */
@Command(name = "chain", mixinStandardHelpOptions = true,
        description = {"The requester's side of the on-chain oracle: request a proven prediction on chain, read a consumer's state.",
                "Addresses come from a zkml service (--service: GET /v1/chain and the circuit's deployments); "
                + "$ZKML_API_KEY, when set, is sent to it as Authorization: Bearer."},
        subcommands = {ChainCommand.Request.class, ChainCommand.Pool.class})
final class ChainCommand implements Runnable {

    /** anvil's default dev keys (its mnemonic "test test ... junk"): public knowledge, local chains only. */
    static final List<String> DEV_KEYS = List.of(
            "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
            "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
            "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
            "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6");
    static final long ANVIL_CHAIN_ID = 31337;
    static final String KEY_ENV = "ZKML_CHAIN_PRIVATE_KEY";

    static final Event INFERENCE_REQUESTED = new Event("InferenceRequested", List.of(
            new TypeReference<Uint256>(true) { }, new TypeReference<Uint256>(true) { }, new TypeReference<Address>(true) { },
            new TypeReference<DynamicArray<Uint256>>() { }, new TypeReference<Address>() { }, new TypeReference<Uint64>() { },
            new TypeReference<Uint32>() { }, new TypeReference<Uint256>() { }));
    static final Event INFERENCE_FULFILLED = new Event("InferenceFulfilled", List.of(
            new TypeReference<Uint256>(true) { }, new TypeReference<Uint256>(true) { }, new TypeReference<Uint256>() { },
            new TypeReference<DynamicArray<Uint256>>() { }, new TypeReference<Address>() { }, new TypeReference<Bool>() { }));

    @Override
    public void run() {
        throw CliException.usage("a chain command is needed: request or pool");
    }

    /** Where the chain and the circuit's deployment are: the service, and optionally the node. */
    static final class Target {
        @Option(names = "--service", required = true, paramLabel = "URL", description = "the zkml service that deployed the circuit")
        String service;

        @Option(names = "--circuit", required = true, paramLabel = "ID", description = "the circuit id on --service")
        String circuit;

        @Option(names = "--rpc-url", paramLabel = "URL", description = "the chain's JSON-RPC endpoint (default: the service's "
                + "local node, from GET /v1/chain)")
        String rpcUrl;

        @Option(names = "--dev-account", paramLabel = "N", description = "sign with anvil's public dev key N (1..3; 0 is the "
                + "service's relayer); only on chain id 31337. Without it the key comes from $" + KEY_ENV)
        Integer devAccount;

        /** What the service says about its chain and the circuit's latest deployment on it. */
        Connected connect() {
            ServiceClient client = new ServiceClient(service, System.getenv(ServiceClient.API_KEY_ENV));
            JsonNode chain = Artifacts.JSON.readTree(client.get("/v1/chain"));
            if (!chain.path("enabled").asBoolean(false)) {
                throw CliException.badInput(service + " has no chain configured (GET /v1/chain: enabled false); "
                        + "make run starts one when anvil is installed (npm ci in verifier-contracts)");
            }
            String url = rpcUrl != null ? rpcUrl : chain.path("rpcUrl").asString(null);
            if (url == null) {
                throw CliException.usage("the service's chain is not a local node: give --rpc-url");
            }
            JsonNode deployments = Artifacts.JSON.readTree(client.get("/v1/circuits/" + ServiceClient.segment(circuit, "circuit id")
                    + "/deployments"));
            JsonNode deployment = null;
            for (JsonNode d : deployments) {
                if (d.path("chain").asString("").equals(chain.path("chain").asString())) {
                    deployment = d;
                }
            }
            if (deployment == null) {
                throw CliException.badInput("circuit " + Artifacts.untrusted(circuit) + " has no deployment on chain "
                        + Artifacts.untrusted(chain.path("chain").asString()) + " (POST /v1/circuits/{id}/deployments first)");
            }
            Web3j web3j = Web3j.build(new HttpService(url));
            long chainId = rpc(() -> web3j.ethChainId().send(), "eth_chainId").getChainId().longValueExact();
            if (chainId != chain.path("chainId").asLong()) {
                web3j.shutdown();
                throw CliException.badInput("the node at " + url + " is chain " + chainId + ", the service's chain is "
                        + chain.path("chainId").asLong());
            }
            return new Connected(client, web3j, chainId, deployment);
        }

        Credentials signer(long chainId) {
            String env = System.getenv(KEY_ENV);
            if (devAccount != null) {
                if (chainId != ANVIL_CHAIN_ID) {
                    throw CliException.usage("--dev-account signs with a publicly known key: only on anvil (chain id "
                            + ANVIL_CHAIN_ID + "), this chain is " + chainId + "; set " + KEY_ENV);
                }
                if (devAccount < 1 || devAccount >= DEV_KEYS.size()) {
                    throw CliException.usage("--dev-account must be 1.." + (DEV_KEYS.size() - 1)
                            + " (0 is the service's relayer: sharing its key would race for nonces)");
                }
                return Credentials.create(DEV_KEYS.get(devAccount));
            }
            if (env == null || env.isBlank()) {
                throw CliException.usage("no signing key: set " + KEY_ENV + " (0x-hex private key) or give --dev-account N on anvil");
            }
            if (!env.strip().matches("(0x)?[0-9a-fA-F]{64}")) {
                throw CliException.usage(KEY_ENV + " is not 32 bytes of hex");
            }
            return Credentials.create(env.strip());
        }
    }

    record Connected(ServiceClient service, Web3j web3j, long chainId, JsonNode deployment) {
        String oracle() {
            return deployment.path("oracleAddress").asString();
        }

        BigInteger modelId() {
            return new BigInteger(deployment.path("registryModelId").asString());
        }

        Optional<String> pool() {
            JsonNode c = deployment.path("consumer");
            return c.isObject() ? Optional.of(c.path("address").asString()) : Optional.empty();
        }
    }

    @Command(name = "request", mixinStandardHelpOptions = true,
            description = {"Request a proven prediction on chain: quantize the input with the circuit's published IR, send "
                    + "the lending pool's requestRiskAssessment (or the oracle's requestInference when the deployment has no "
                    + "consumer, or with --oracle), print the request id; with --wait, wait for the service to fulfil it.",
                    "Hashed inputs: only the Poseidon2 commitment (under a fresh random salt) goes on chain; the input and "
                    + "the salt are posted to the service (POST /v1/circuits/{id}/inferences), which proves them.",
                    "Prints JSON: requestId, txHash, gasUsed, requester, inputs (field elements; hashed: commitment, salt, "
                    + "inferenceId); with --wait also the "
                    + "fulfilment (tx, outputs, label) and the pool's collateral factor for the requester."},
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
                    "0:the request was sent (with --wait: and fulfilled)",
                    "1:the chain refused the request, or --wait ran out before a fulfilment",
                    "2:usage error", "3:bad input: the input file, or the service's or node's answer", "4:internal error"})
    static final class Request implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Option(names = "--input", required = true, paramLabel = "FILE", description = "the input, {\"input\": [...]} or by "
                + "feature name, as for POST /v1/circuits/{id}/inferences")
        Path input;

        @Option(names = "--oracle", description = "call the oracle directly (no consumer callback) even if the deployment has a pool")
        boolean direct;

        @Option(names = "--deadline-in", paramLabel = "SECONDS", defaultValue = "600",
                description = "the request's deadline, seconds after the latest block (default: ${DEFAULT-VALUE})")
        long deadlineIn;

        @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "0",
                description = "wait this long for the fulfilment (0: do not wait; default: ${DEFAULT-VALUE})")
        long waitSeconds;

        @Override
        public Integer call() throws Exception {
            if (deadlineIn < 1 || waitSeconds < 0) {
                throw CliException.usage("--deadline-in must be >= 1 and --wait >= 0");
            }
            Connected c = target.connect();
            try {
                Credentials key = target.signer(c.chainId());
                byte[] ir = c.service().get("/v1/circuits/" + ServiceClient.segment(target.circuit, "circuit id") + "/ir");
                CompiledCircuit circuit;
                try {
                    circuit = CompiledCircuit.fromIr(ir);
                } catch (IrValidationException e) {
                    throw CliException.badInput("the service's IR of circuit " + Artifacts.untrusted(target.circuit)
                            + " is invalid: " + Artifacts.firstLine(e.getMessage()), e);
                }
                String visibility = inputVisibility(circuit);
                if (!"public".equals(visibility) && !"hashed".equals(visibility)) {
                    throw CliException.badInput("circuit " + Artifacts.untrusted(target.circuit) + " has " + visibility
                            + " inputs: a request names public inputs or their commitment (docs/relayer.md)");
                }
                JsonNode inputDoc = Artifacts.readJson(input, "input file");
                double[] values = ProveCommand.inputValues(inputDoc, circuit.features(), "input file " + input);
                List<BigInteger> words = new ArrayList<>();
                List<BigInteger> quantized;
                try {
                    quantized = circuit.quantizeInput(values);
                } catch (InputValidationException e) {
                    throw CliException.badInput("input file " + input + ": " + Artifacts.firstLine(e.getMessage()), e);
                }
                BigInteger salt = null;
                String inferenceId = null;
                if ("hashed".equals(visibility)) {
                    // Only the commitment goes on chain; the input and the salt go to the service, which
                    // proves them now; the relayer answers the request with that proof (ADR 0016).
                    salt = new BigInteger(253, new java.security.SecureRandom()).mod(Bn254.R);
                    BigInteger commitment = circuit.commitment(quantized, salt).orElseThrow();
                    ObjectNode body = Artifacts.JSON.createObjectNode();
                    body.set("input", inputDoc.get("input"));
                    body.put("salt", salt.toString());
                    JsonNode created = Artifacts.JSON.readTree(c.service().postJson("/v1/circuits/"
                            + ServiceClient.segment(target.circuit, "circuit id") + "/inferences", Artifacts.JSON.writeValueAsBytes(body)));
                    inferenceId = created.path("id").asString();
                    if (created.hasNonNull("commitment") && !created.get("commitment").asString().equals(commitment.toString())) {
                        throw CliException.badInput("the service computed the commitment " + Artifacts.untrusted(created.get("commitment")
                                .asString()) + ", this command " + commitment + ": not the same circuit or salt encoding");
                    }
                    words.add(commitment);
                } else {
                    quantized.forEach(q -> words.add(Bn254.toField(q)));
                }
                long deadline = latestTimestamp(c.web3j()) + deadlineIn;
                DynamicArray<Uint256> in = new DynamicArray<>(Uint256.class, words.stream().map(Uint256::new).toList());
                String to;
                Function f;
                Optional<String> pool = direct ? Optional.empty() : c.pool();
                if (pool.isPresent()) {
                    to = pool.get();
                    f = new Function("requestRiskAssessment", List.<Type>of(in, new Uint64(deadline)), List.of());
                } else {
                    to = c.oracle();
                    f = new Function("requestInference", List.<Type>of(new Uint256(c.modelId()), in, Address.DEFAULT,
                            new Uint64(deadline), new Uint32(0)), List.of());
                }
                TransactionReceipt r = send(c.web3j(), c.chainId(), key, to, FunctionEncoder.encode(f));
                BigInteger requestId = null;
                String topic = EventEncoder.encode(INFERENCE_REQUESTED);
                for (Log l : r.getLogs()) {
                    if (l.getAddress().equalsIgnoreCase(c.oracle()) && !l.getTopics().isEmpty() && l.getTopics().getFirst().equals(topic)) {
                        requestId = Numeric.toBigInt(l.getTopics().get(1));
                    }
                }
                if (requestId == null) {
                    throw CliException.badInput("transaction " + r.getTransactionHash() + " emitted no InferenceRequested from "
                            + c.oracle());
                }
                ObjectNode out = Artifacts.JSON.createObjectNode();
                out.put("requestId", requestId.toString());
                out.put("txHash", r.getTransactionHash());
                out.put("blockNumber", r.getBlockNumber().longValueExact());
                out.put("gasUsed", r.getGasUsed().longValueExact());
                out.put("requester", key.getAddress());
                out.put("to", pool.isPresent() ? "pool " + to : "oracle " + to);
                out.put("deadline", deadline);
                ArrayNode ins = out.putArray("inputs");
                words.forEach(w -> ins.add(w.toString()));
                if (salt != null) {
                    out.put("commitment", words.getFirst().toString());
                    out.put("salt", salt.toString()); // the requester's secret: it opens the commitment
                    out.put("inferenceId", inferenceId);
                }
                if (waitSeconds > 0) {
                    Optional<Log> done = awaitFulfilment(c, requestId, r.getBlockNumber(), Duration.ofSeconds(waitSeconds));
                    if (done.isEmpty()) {
                        spec.commandLine().getOut().println(Artifacts.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
                        throw new CliException(Zkml.INVALID, "request " + requestId + " was not fulfilled within " + waitSeconds
                                + " s (GET /v1/circuits/" + Artifacts.untrusted(target.circuit) + "/deployments/"
                                + c.deployment().path("id").asString() + "/requests shows what the relayer did)");
                    }
                    List<Type> data = FunctionReturnDecoder.decode(done.get().getData(), INFERENCE_FULFILLED.getNonIndexedParameters());
                    ObjectNode ful = out.putObject("fulfilment");
                    ful.put("txHash", done.get().getTransactionHash());
                    ful.put("blockNumber", done.get().getBlockNumber().longValueExact());
                    ful.put("registryInferenceId", ((BigInteger) data.get(0).getValue()).toString());
                    ArrayNode outs = ful.putArray("outputs");
                    @SuppressWarnings("unchecked")
                    List<Uint256> o = ((DynamicArray<Uint256>) data.get(1)).getValue();
                    o.forEach(x -> outs.add(x.getValue().toString()));
                    if (circuit.task() == io.zkml.compiler.Task.CLASSIFICATION && !o.isEmpty()
                            && o.getFirst().getValue().compareTo(BigInteger.valueOf(circuit.outputs().size())) < 0) {
                        ful.put("label", circuit.outputs().get(o.getFirst().getValue().intValueExact()));
                    }
                    ful.put("fulfiller", ((Address) data.get(2)).getValue());
                    ful.put("callbackSucceeded", (Boolean) data.get(3).getValue());
                    if (pool.isPresent()) {
                        out.put("collateralFactorBps", collateralFactorBps(c.web3j(), pool.get(), key.getAddress()));
                    }
                }
                spec.commandLine().getOut().println(Artifacts.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
                return Zkml.OK;
            } finally {
                c.web3j().shutdown();
            }
        }

        private static String inputVisibility(CompiledCircuit circuit) {
            return circuit.inputVisibility().name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    @Command(name = "pool", mixinStandardHelpOptions = true,
            description = {"Read the deployment's RiskBasedLendingPool: a borrower's collateral factor (basis points; 0 = "
                    + "never assessed) and the pool's factor per label.", "Prints JSON: pool, borrower, collateralFactorBps."})
    static final class Pool implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Option(names = "--borrower", paramLabel = "ADDRESS", description = "the borrower (default: the --dev-account's "
                + "address, or that of $" + KEY_ENV + ")")
        String borrower;

        @Override
        public Integer call() throws Exception {
            Connected c = target.connect();
            try {
                String pool = c.pool().orElseThrow(() -> CliException.badInput("the circuit's deployment has no consumer "
                        + "(deploy with \"consumer\": {\"contract\": \"RiskBasedLendingPool\", ...})"));
                String who = borrower != null ? borrower : target.signer(c.chainId()).getAddress();
                if (!who.matches("0x[0-9a-fA-F]{40}")) {
                    throw CliException.usage("--borrower must be a 0x-hex address");
                }
                ObjectNode out = Artifacts.JSON.createObjectNode();
                out.put("pool", pool);
                out.put("borrower", who);
                out.put("collateralFactorBps", collateralFactorBps(c.web3j(), pool, who));
                spec.commandLine().getOut().println(Artifacts.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
                return Zkml.OK;
            } finally {
                c.web3j().shutdown();
            }
        }
    }

    // --- JSON-RPC ---------------------------------------------------------------------------

    interface Rpc<T> {
        T send() throws IOException;
    }

    static <T extends Response<?>> T rpc(Rpc<T> call, String what) {
        T r;
        try {
            r = call.send();
        } catch (IOException e) {
            throw CliException.badInput("the node did not answer " + what + ": " + Artifacts.firstLine(String.valueOf(e.getMessage())), e);
        }
        if (r.hasError()) {
            throw CliException.badInput(what + " failed: " + Artifacts.untrusted(r.getError().getMessage()));
        }
        return r;
    }

    static long latestTimestamp(Web3j web3j) {
        return rpc(() -> web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send(), "eth_getBlockByNumber")
                .getBlock().getTimestamp().longValueExact();
    }

    static int collateralFactorBps(Web3j web3j, String pool, String borrower) {
        Function f = new Function("collateralFactorBps", List.of(new Address(borrower)), List.of(new TypeReference<Uint16>() { }));
        EthCall r = rpc(() -> web3j.ethCall(Transaction.createEthCallTransaction(null, pool, FunctionEncoder.encode(f)),
                DefaultBlockParameterName.LATEST).send(), "eth_call collateralFactorBps");
        List<Type> v = FunctionReturnDecoder.decode(r.getValue(), f.getOutputParameters());
        if (v.isEmpty()) {
            throw CliException.badInput("collateralFactorBps on " + pool + " returned nothing: not a RiskBasedLendingPool");
        }
        return ((BigInteger) v.getFirst().getValue()).intValueExact();
    }

    /** Signs (EIP-155, legacy gas price) and sends; waits up to 2 minutes for the receipt; exit 1 on a revert. */
    static TransactionReceipt send(Web3j web3j, long chainId, Credentials key, String to, String data) {
        Transaction call = Transaction.createFunctionCallTransaction(key.getAddress(), null, null, null, to, data);
        EthEstimateGas est = rpc(() -> web3j.ethEstimateGas(call).send(), "eth_estimateGas");
        if (est.hasError() || est.getAmountUsed() == null) {
            throw new CliException(Zkml.INVALID, "the chain refuses the transaction to " + to + ": "
                    + (est.getError() == null ? "no gas estimate" : Artifacts.untrusted(est.getError().getMessage())));
        }
        BigInteger gas = est.getAmountUsed().multiply(BigInteger.valueOf(12)).divide(BigInteger.TEN);
        BigInteger nonce = rpc(() -> web3j.ethGetTransactionCount(key.getAddress(), DefaultBlockParameterName.PENDING).send(),
                "eth_getTransactionCount").getTransactionCount();
        BigInteger price = rpc(() -> web3j.ethGasPrice().send(), "eth_gasPrice").getGasPrice();
        RawTransaction tx = RawTransaction.createTransaction(nonce, price, gas, to, BigInteger.ZERO, data);
        String raw = Numeric.toHexString(TransactionEncoder.signMessage(tx, chainId, key));
        EthSendTransaction sent = rpc(() -> web3j.ethSendRawTransaction(raw).send(), "eth_sendRawTransaction");
        String hash = sent.getTransactionHash();
        long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < end) {
            Optional<TransactionReceipt> r = rpc(() -> web3j.ethGetTransactionReceipt(hash).send(), "eth_getTransactionReceipt")
                    .getTransactionReceipt();
            if (r.isPresent()) {
                if (!r.get().isStatusOK()) {
                    throw new CliException(Zkml.INVALID, "transaction " + hash + " to " + to + " reverted");
                }
                return r.get();
            }
            sleep(250);
        }
        throw new CliException(Zkml.INVALID, "transaction " + hash + " was not mined within 2 minutes");
    }

    static Optional<Log> awaitFulfilment(Connected c, BigInteger requestId, BigInteger fromBlock, Duration wait) {
        long end = System.nanoTime() + wait.toNanos();
        String topic = EventEncoder.encode(INFERENCE_FULFILLED);
        while (true) {
            EthFilter f = new EthFilter(DefaultBlockParameter.valueOf(fromBlock), DefaultBlockParameterName.LATEST, c.oracle());
            f.addSingleTopic(topic);
            f.addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(requestId, 64));
            EthLog logs = rpc(() -> c.web3j().ethGetLogs(f).send(), "eth_getLogs");
            for (EthLog.LogResult<?> l : logs.getLogs()) {
                if (l.get() instanceof Log log) {
                    return Optional.of(log);
                }
            }
            if (System.nanoTime() > end) {
                return Optional.empty();
            }
            sleep(1000);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.badInput("interrupted");
        }
    }
}
