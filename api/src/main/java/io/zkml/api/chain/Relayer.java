package io.zkml.api.chain;

import java.math.BigInteger;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.support.TransactionTemplate;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

import io.zkml.api.inferences.InferenceRecord;
import io.zkml.api.inferences.InferenceService;
import io.zkml.api.inferences.InferenceStatus;
import io.zkml.compiler.InputValidationException;

/**
 * Fulfils {@code ZkmlOracle} requests for the circuits this service deployed (docs/relayer.md).
 *
 * <p>One loop, every {@code zkml.chain.poll-interval}:
 * <ol>
 *   <li><b>scan</b> blocks {@code [cursor, head − confirmations]} (at most {@code max-blocks-per-scan})
 *       for {@code InferenceRequested}; each request for a registered model of ours becomes a row in
 *       {@code oracle_requests} and a queued proof, and the cursor moves, in ONE database
 *       transaction: a crash before the commit rescans the same blocks, and the primary key makes
 *       the rescan insert nothing twice;</li>
 *   <li><b>submit</b>: a request whose proof succeeded gets its {@code fulfil} transaction signed,
 *       stored (hash and raw bytes) and only then sent; if the node says it would revert, the
 *       reason decides ({@code NotPending}: someone else fulfilled it; {@code Expired}: too late);</li>
 *   <li><b>confirm</b>: a sent transaction's receipt marks it fulfilled; without one the same stored
 *       bytes are sent again (same nonce, same hash: never a second fulfilment).</li>
 * </ol>
 * The contract itself accepts one fulfilment per request, so even two relayers cannot fulfil twice;
 * the stored raw transaction keeps one relayer from paying for a second attempt after a restart.
 * A node that is down only delays the loop.
 */
public final class Relayer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Relayer.class);
    static final int MAX_ATTEMPTS = 5;

    private final ChainRuntime chain;
    private final ChainRepository repo;
    private final InferenceService inferences;
    private final io.zkml.api.circuits.CircuitService circuits;
    private final TransactionTemplate tx;
    private volatile Thread thread;
    private volatile boolean running;
    private boolean resetChecked;
    private final AtomicLong passes = new AtomicLong();

    public Relayer(ChainRuntime chain, ChainRepository repo, InferenceService inferences,
                   io.zkml.api.circuits.CircuitService circuits, TransactionTemplate tx) {
        this.chain = chain;
        this.repo = repo;
        this.inferences = inferences;
        this.circuits = circuits;
        this.tx = tx;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        if (!resetChecked && chain.localRpcUrl() != null) {
            forgetIfTheLocalChainIsNew();
        }
        resetChecked = true;
        running = true;
        thread = Thread.ofPlatform().name("zkml-relayer").daemon().start(this::loop);
        log.info("relayer started for oracle {} on {}", chain.oracleAddress(), chain.name());
    }

    @Override
    public synchronized void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        thread = null;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * A chain the service started itself may be newer than what the database remembers of it (no
     * {@code local-node.state-file}, or the file was deleted): the registry and oracle are then
     * re-deployed at the same addresses (same dev key, same nonces) and request ids start again
     * at 1, so remembered rows would hide new requests. When the cursor is past the head, or a
     * remembered verifier has no code, that chain's rows are forgotten.
     */
    private void forgetIfTheLocalChainIsNew() {
        try {
            ChainClient client = chain.client();
            long head = client.blockNumber();
            Optional<Long> cursor = repo.cursor(chain.name(), chain.oracleAddress());
            List<ChainRepository.Deployment> deployments = repo.deploymentsOn(chain.name());
            boolean reset = cursor.isPresent() && cursor.get() > head + 1;
            for (ChainRepository.Deployment d : deployments) {
                reset = reset || client.codeSize(d.verifierAddress()) == 0;
            }
            if (reset) {
                int n = repo.forgetChain(chain.name());
                log.warn("zkml.chain '{}': the local chain is new (head block {}, the database remembered block {}); "
                        + "forgot its {} deployment(s), its oracle requests and the relayer's cursor: deploy the circuits again",
                        chain.name(), head, cursor.orElse(0L), n);
            }
        } catch (RuntimeException e) {
            log.warn("zkml.chain: could not check whether the local chain is new: {}", e.getMessage());
        }
    }

    /** Completed loop passes (tests wait on it). */
    public long passes() {
        return passes.get();
    }

    private void loop() {
        long lastWarning = 0;
        while (running) {
            try {
                pass();
            } catch (ChainUnavailableException e) {
                if (System.nanoTime() - lastWarning > 60_000_000_000L) {
                    log.warn("relayer: {}; retrying every {}", e.getMessage(), chain.props().pollInterval());
                    lastWarning = System.nanoTime();
                }
            } catch (RuntimeException e) {
                log.error("relayer pass failed; retrying", e);
            }
            passes.incrementAndGet();
            try {
                Thread.sleep(chain.props().pollInterval());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One scan → submit → confirm pass. */
    void pass() {
        scan();
        for (ChainRepository.OracleRequest r : repo.open(chain.name(), chain.oracleAddress())) {
            if (!running) {
                return;
            }
            if ("proving".equals(r.status())) {
                submit(r);
            } else if ("submitted".equals(r.status())) {
                confirm(r);
            }
        }
    }

    private void scan() {
        ChainClient client = chain.client();
        String oracle = chain.oracleAddress();
        long from = repo.cursor(chain.name(), oracle).orElse(chain.props().startBlock());
        Optional<String> lastHash = repo.cursorHash(chain.name(), oracle);
        if (lastHash.isPresent() && from > 0) {
            String now = client.blockHash(from - 1);
            if (!lastHash.get().equalsIgnoreCase(String.valueOf(now))) {
                // The last scanned block is gone: a reorg deeper than the confirmations. Scan again from
                // further back; requests seen again are no-ops, a different request under a known id replaces it.
                long back = Math.max(chain.props().startBlock(), from - chain.props().reorgRescanBlocks());
                log.warn("relayer: block {} is no longer {} (a reorg deeper than {} confirmations): scanning again from block {}",
                        from - 1, lastHash.get(), chain.props().confirmations(), back);
                repo.saveCursor(chain.name(), oracle, back, null);
                return;
            }
        }
        long safe = client.blockNumber() - chain.props().confirmations();
        if (safe < from) {
            return;
        }
        long to = Math.min(safe, from + chain.props().maxBlocksPerScan() - 1);
        String toHash = client.blockHash(to);
        List<Log> logs = client.logs(oracle, OracleAbi.INFERENCE_REQUESTED_TOPIC, from, to);
        tx.executeWithoutResult(status -> {
            for (Log l : logs) {
                record(OracleAbi.requested(l));
            }
            repo.saveCursor(chain.name(), oracle, to + 1, toHash);
        });
    }

    private void record(OracleAbi.Requested q) {
        Optional<ChainRepository.Deployment> d = repo.deployment(chain.name(), chain.registryAddress(), q.modelId());
        if (d.isEmpty()) {
            return; // a model this service did not register
        }
        List<String> inputs = q.inputs().stream().map(BigInteger::toString).toList();
        List<BigInteger> signed = q.inputs().stream().map(Relayer::signed).toList();
        String error = null;
        if (q.inputs().size() != d.get().inputWords()) {
            error = "the request has " + q.inputs().size() + " input words, the circuit " + d.get().inputWords();
        }
        if (!repo.insertRequest(chain.name(), chain.oracleAddress(), q.requestId(), d.get().id(), inputs, q.deadline(),
                q.blockNumber(), q.txHash(), error == null ? "proving" : "failed", error)) {
            ChainRepository.OracleRequest known = repo.request(chain.name(), chain.oracleAddress(), q.requestId()).orElseThrow();
            if (known.requestTxHash().equalsIgnoreCase(q.txHash())) {
                return; // seen before (a rescan, or the same transaction mined again after a reorg)
            }
            log.warn("oracle request {}: now made by transaction {}, not {} (a reorg deeper than the confirmations): "
                    + "proving the new request", q.requestId(), q.txHash(), known.requestTxHash());
            repo.replaceRequest(chain.name(), chain.oracleAddress(), q.requestId(), d.get().id(), inputs, q.deadline(),
                    q.blockNumber(), q.txHash(), error == null ? "proving" : "failed", error);
        }
        if (error != null) {
            log.warn("oracle request {}: {}", q.requestId(), error);
            return;
        }
        if (d.get().hashedInputs()) {
            // The request names only the commitment: the proof is that of the circuit's inference with
            // this commitment (the requester posted the input and salt to the service, off chain); it
            // is looked up now and on every pass until the deadline (submit).
            log.info("oracle request {} (model {}): hashed inputs, commitment {}", q.requestId(), q.modelId(), inputs.getFirst());
            return;
        }
        try {
            repo.actAsOwnerOf(d.get().circuitId()); // the inference belongs to the circuit's owner
            InferenceRecord inf = inferences.createQuantized(d.get().circuitId(), signed);
            repo.setInference(chain.name(), chain.oracleAddress(), q.requestId(), inf.id());
            log.info("oracle request {} (model {}): proving as inference {}", q.requestId(), q.modelId(), inf.id());
        } catch (InputValidationException e) {
            ChainRepository.OracleRequest r = repo.requests(chain.name(), chain.oracleAddress()).stream()
                    .filter(x -> x.requestId().equals(q.requestId())).findFirst().orElseThrow();
            repo.finish(r, "failed", null, "no proof exists for these inputs: " + e.getMessage());
        }
    }

    private void submit(ChainRepository.OracleRequest r) {
        UUID inferenceId = r.inferenceId();
        if (inferenceId == null) {
            ChainRepository.Deployment d = repo.deployment(r.deploymentId()).orElseThrow();
            Optional<UUID> found = d.hashedInputs() ? repo.inferenceWithCommitment(d.circuitId(), r.inputs().getFirst())
                    : Optional.empty();
            if (found.isEmpty()) {
                if (d.hashedInputs() && chain.client().latestTimestamp() > r.deadline()) {
                    repo.finish(r, "expired", null, "no inference of circuit " + d.circuitId() + " carries the commitment "
                            + r.inputs().getFirst() + " (POST /v1/circuits/{id}/inferences with the input and salt) before "
                            + "the deadline " + r.deadline());
                }
                return;
            }
            inferenceId = found.get();
            repo.setInference(r.chain(), r.oracleAddress(), r.requestId(), inferenceId);
            log.info("oracle request {}: the commitment is that of inference {}", r.requestId(), inferenceId);
        }
        InferenceRecord inf = inferences.get(inferenceId);
        if (inf.status() == InferenceStatus.FAILED || inf.status() == InferenceStatus.CANCELLED) { // issue 9: cancelled too
            repo.finish(r, "failed", null, "proving failed: " + inf.error());
            return;
        }
        if (inf.status() != InferenceStatus.SUCCEEDED) {
            return;
        }
        ChainClient client = chain.client();
        if (client.latestTimestamp() > r.deadline()) {
            repo.finish(r, "expired", null, "the deadline " + r.deadline() + " passed before the proof was ready");
            return;
        }
        ChainRepository.Deployment d = repo.deployment(r.deploymentId()).orElseThrow();
        List<BigInteger> pub = inf.publicInputs().stream().map(BigInteger::new).toList();
        List<BigInteger> inputs = r.inputs().stream().map(BigInteger::new).toList();
        if (!pub.subList(0, d.inputWords()).equals(inputs)) {
            repo.finish(r, "failed", null, "the proof's public inputs are not the request's");
            return;
        }
        byte[] proof = onChainProof(circuits.get(d.circuitId()).provingSystem(), HexFormat.of().parseHex(inf.proof().substring(2)));
        String data = OracleAbi.fulfil(r.requestId(), inputs, pub.subList(d.inputWords(), pub.size()), proof);
        client.lock().lock();
        try {
            ChainClient.SignedTx signed;
            try {
                signed = client.sign(chain.oracleAddress(), data, BigInteger.ZERO);
            } catch (ChainClient.ChainCallException e) {
                if (!e.isRevert()) {
                    throw e;
                }
                String why = OracleAbi.errorName(e.revertData());
                switch (why) {
                    case "NotPending" -> repo.finish(r, "fulfilled_by_other", null, "the request was no longer pending");
                    case "Expired" -> repo.finish(r, "expired", null, "the deadline passed");
                    default -> {
                        if (r.attempts() + 1 >= MAX_ATTEMPTS) {
                            repo.finish(r, "failed", null, "fulfil would revert: " + why);
                        } else {
                            repo.failedAttempt(r, "fulfil would revert: " + why);
                        }
                    }
                }
                log.warn("oracle request {}: fulfil would revert ({})", r.requestId(), why);
                return;
            }
            repo.markSubmitted(r, signed.hash(), signed.raw()); // stored before it leaves
            client.broadcast(signed);
            log.info("oracle request {}: fulfil sent, tx {}", r.requestId(), signed.hash());
        } finally {
            client.lock().unlock();
        }
    }

    private void confirm(ChainRepository.OracleRequest r) {
        ChainClient client = chain.client();
        Optional<TransactionReceipt> receipt = client.receipt(r.fulfilTxHash());
        if (receipt.isEmpty()) {
            client.lock().lock();
            try {
                client.broadcast(new ChainClient.SignedTx(r.fulfilTxHash(), r.fulfilRawTx(), null)); // same bytes again
            } finally {
                client.lock().unlock();
            }
            return;
        }
        TransactionReceipt t = receipt.get();
        if (t.isStatusOK()) {
            repo.finish(r, "fulfilled", t.getGasUsed().longValueExact(), null);
            log.info("oracle request {}: fulfilled in block {} ({} gas)", r.requestId(), t.getBlockNumber(), t.getGasUsed());
        } else if (r.attempts() >= MAX_ATTEMPTS) {
            repo.finish(r, "failed", t.getGasUsed().longValueExact(), "fulfil " + r.fulfilTxHash() + " reverted");
        } else {
            repo.retry(r, "fulfil " + r.fulfilTxHash() + " reverted; trying again");
        }
    }

    /** A field element as the signed integer it encodes (values above (r - 1)/2 are negative). */
    static BigInteger signed(BigInteger fieldElement) {
        return io.zkml.prover.Bn254.toSigned(fieldElement);
    }

    /**
     * The bytes the registry hands the circuit's verifier: a Groth16 proof as it is; of a PLONK proof
     * (800 bytes from the native library) the Solidity part, its first
     * {@link io.zkml.contracts.VerifierContract#PLONK_PROOF_BYTES} bytes, as gnark's PLONK verifier reads it.
     */
    static byte[] onChainProof(String provingSystem, byte[] proof) {
        // 800 bytes, or 896 for a lookup circuit (one BSB22 commitment): the Solidity part is all but the last word
        return "plonk".equals(provingSystem) ? io.zkml.contracts.VerifierContract.plonkSolidityProof(proof) : proof;
    }
}
