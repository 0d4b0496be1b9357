package io.zkml.api.chain;

import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import tools.jackson.core.type.TypeReference;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.zkml.api.support.Json;

/** The tables {@code chain_deployments}, {@code chain_cursors} and {@code oracle_requests} (V13). */
@Repository
public class ChainRepository {

    private static final TypeReference<List<Deployment.Step>> STEPS = new TypeReference<>() { };
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };
    private static final TypeReference<Deployment.Consumer> CONSUMER = new TypeReference<>() { };

    private final JdbcClient jdbc;
    private final Json json;

    public ChainRepository(JdbcClient jdbc, Json json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** A circuit's verifier deployed and registered on a chain. */
    public record Deployment(UUID id, UUID circuitId, String chain, long chainId, String registryAddress,
                             String oracleAddress, String verifierAddress, BigInteger modelId, int inputWords,
                             int outputWords, boolean hashedInputs, List<Step> transactions, Consumer consumer,
                             Instant createdAt) {
        /** One transaction of a deployment: {@code deployVerifier}, {@code registerModel}, {@code deployConsumer}. */
        public record Step(String step, String hash, long gasUsed, long blockNumber) {
        }

        /**
         * An example consumer deployed with the deployment (or null): the contract's name, its
         * address and its settings (RiskBasedLendingPool: collateral factor in basis points per label).
         */
        public record Consumer(String contract, String address, Map<String, Integer> collateralFactorsBps) {
        }
    }

    /** An oracle request the relayer has seen. */
    public record OracleRequest(String chain, String oracleAddress, BigInteger requestId, UUID deploymentId,
                                List<String> inputs, long deadline, long blockNumber, String requestTxHash, String status,
                                UUID inferenceId, String fulfilTxHash, String fulfilRawTx, Long fulfilGasUsed,
                                int attempts, String error, Instant createdAt, Instant updatedAt) {
    }

    public void insertDeployment(Deployment d) {
        jdbc.sql("""
                INSERT INTO chain_deployments (id, circuit_id, chain, chain_id, registry_address, oracle_address,
                       verifier_address, registry_model_id, input_words, output_words, hashed_inputs, transactions, consumer)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)
                """)
                .params(d.id(), d.circuitId(), d.chain(), d.chainId(), d.registryAddress(), d.oracleAddress(),
                        d.verifierAddress(), new java.math.BigDecimal(d.modelId()), d.inputWords(), d.outputWords(),
                        d.hashedInputs(), json.write(d.transactions()), d.consumer() == null ? null : json.write(d.consumer()))
                .update();
    }

    public List<Deployment> deploymentsOf(UUID circuitId) {
        return jdbc.sql("SELECT * FROM chain_deployments WHERE circuit_id = ? ORDER BY created_at, id")
                .param(circuitId).query(this::mapDeployment).list();
    }

    public Optional<Deployment> deployment(String chain, String registryAddress, BigInteger modelId) {
        return jdbc.sql("SELECT * FROM chain_deployments WHERE chain = ? AND lower(registry_address) = lower(?) AND registry_model_id = ?")
                .params(chain, registryAddress, new java.math.BigDecimal(modelId)).query(this::mapDeployment).optional();
    }

    public Optional<Deployment> deployment(UUID id) {
        return jdbc.sql("SELECT * FROM chain_deployments WHERE id = ?").param(id).query(this::mapDeployment).optional();
    }

    /** Every deployment on one chain (by the service's chain name). */
    public List<Deployment> deploymentsOn(String chain) {
        return jdbc.sql("SELECT * FROM chain_deployments WHERE chain = ? ORDER BY created_at").param(chain).query(this::mapDeployment).list();
    }

    /**
     * Forgets a chain: its oracle requests, cursors and deployments (a development chain that was
     * started afresh; the inferences stay). Returns the number of deployments removed.
     */
    public int forgetChain(String chain) {
        jdbc.sql("DELETE FROM oracle_requests WHERE chain = ?").param(chain).update();
        jdbc.sql("DELETE FROM chain_cursors WHERE chain = ?").param(chain).update();
        return jdbc.sql("DELETE FROM chain_deployments WHERE chain = ?").param(chain).update();
    }

    /**
     * Makes what the current transaction inserts belong to the owner of {@code circuitId} (V9's
     * {@code zkml.owner} for this transaction only): the relayer's inferences are the circuit owner's.
     */
    public void actAsOwnerOf(UUID circuitId) {
        jdbc.sql("SELECT set_config('zkml.owner', (SELECT owner FROM circuits WHERE id = ?), true)").param(circuitId)
                .query(String.class).optional();
    }

    /**
     * The circuit's inference whose commitment is {@code commitment} (decimal), the one that did not
     * fail first, for a request that names only the commitment of hashed inputs.
     */
    public Optional<UUID> inferenceWithCommitment(UUID circuitId, String commitment) {
        return jdbc.sql("""
                SELECT id FROM inferences WHERE circuit_id = ? AND commitment = ?
                 ORDER BY (status = 'failed'), created_at LIMIT 1
                """).params(circuitId, commitment).query(UUID.class).optional();
    }

    /** The next block to scan, or empty when this oracle was never scanned. */
    public Optional<Long> cursor(String chain, String oracle) {
        return jdbc.sql("SELECT next_block FROM chain_cursors WHERE chain = ? AND lower(oracle_address) = lower(?)")
                .params(chain, oracle).query(Long.class).optional();
    }

    public void saveCursor(String chain, String oracle, long nextBlock) {
        saveCursor(chain, oracle, nextBlock, null);
    }

    /** Saves the cursor with the hash of block {@code nextBlock - 1} (null: unknown, not checked). */
    public void saveCursor(String chain, String oracle, long nextBlock, String lastBlockHash) {
        jdbc.sql("""
                INSERT INTO chain_cursors (chain, oracle_address, next_block, last_block_hash) VALUES (?, lower(?), ?, ?)
                ON CONFLICT (chain, oracle_address) DO UPDATE SET next_block = excluded.next_block,
                       last_block_hash = excluded.last_block_hash, updated_at = now()
                """).params(chain, oracle, nextBlock, lastBlockHash).update();
    }

    /** The hash of the last block the relayer scanned, if recorded. */
    public Optional<String> cursorHash(String chain, String oracle) {
        return jdbc.sql("SELECT last_block_hash FROM chain_cursors WHERE chain = ? AND oracle_address = lower(?)")
                .params(chain, oracle).query((rs, i) -> Optional.ofNullable(rs.getString(1))).optional().flatMap(x -> x);
    }

    /** One request, by id. */
    public Optional<OracleRequest> request(String chain, String oracle, BigInteger requestId) {
        return jdbc.sql("SELECT * FROM oracle_requests WHERE chain = ? AND oracle_address = lower(?) AND request_id = ?")
                .params(chain, oracle, new java.math.BigDecimal(requestId)).query(this::mapRequest).optional();
    }

    /**
     * A different request now has an id the relayer recorded (a reorg deeper than the
     * confirmations replaced the block): the row becomes the new request, to be proven afresh.
     */
    public void replaceRequest(String chain, String oracle, BigInteger requestId, UUID deploymentId, List<String> inputs,
                               long deadline, long blockNumber, String txHash, String status, String error) {
        jdbc.sql("""
                UPDATE oracle_requests SET deployment_id = ?, inputs = ?::jsonb, deadline = ?, block_number = ?, request_tx_hash = ?,
                       status = ?, error = ?, inference_id = NULL, fulfil_tx_hash = NULL, fulfil_raw_tx = NULL,
                       fulfil_gas_used = NULL, attempts = 0, updated_at = now()
                 WHERE chain = ? AND oracle_address = lower(?) AND request_id = ?
                """).params(deploymentId, json.write(inputs), deadline, blockNumber, txHash, status, error, chain, oracle,
                new java.math.BigDecimal(requestId)).update();
    }

    /** Inserts a request the relayer saw; false when it was already there (a rescan after a restart). */
    public boolean insertRequest(String chain, String oracle, BigInteger requestId, UUID deploymentId, List<String> inputs,
                                 long deadline, long blockNumber, String txHash, String status, String error) {
        return jdbc.sql("""
                INSERT INTO oracle_requests (chain, oracle_address, request_id, deployment_id, inputs, deadline,
                       block_number, request_tx_hash, status, error)
                VALUES (?, lower(?), ?, ?, ?::jsonb, ?, ?, ?, ?, ?)
                ON CONFLICT (chain, oracle_address, request_id) DO NOTHING
                """)
                .params(chain, oracle, new java.math.BigDecimal(requestId), deploymentId, json.write(inputs), deadline,
                        blockNumber, txHash, status, error)
                .update() == 1;
    }

    public void setInference(String chain, String oracle, BigInteger requestId, UUID inferenceId) {
        jdbc.sql("UPDATE oracle_requests SET inference_id = ?, updated_at = now() WHERE chain = ? AND oracle_address = lower(?) AND request_id = ?")
                .params(inferenceId, chain, oracle, new java.math.BigDecimal(requestId)).update();
    }

    public List<OracleRequest> open(String chain, String oracle) {
        return jdbc.sql("""
                SELECT * FROM oracle_requests WHERE chain = ? AND oracle_address = lower(?) AND status IN ('proving', 'submitted')
                 ORDER BY request_id
                """).params(chain, oracle).query(this::mapRequest).list();
    }

    public List<OracleRequest> requests(String chain, String oracle) {
        return jdbc.sql("SELECT * FROM oracle_requests WHERE chain = ? AND oracle_address = lower(?) ORDER BY request_id")
                .params(chain, oracle).query(this::mapRequest).list();
    }

    public List<OracleRequest> requestsOf(UUID deploymentId) {
        return jdbc.sql("SELECT * FROM oracle_requests WHERE deployment_id = ? ORDER BY request_id")
                .param(deploymentId).query(this::mapRequest).list();
    }

    /** Records the signed fulfilment before it is sent. */
    public void markSubmitted(OracleRequest r, String txHash, String rawTx) {
        jdbc.sql("""
                UPDATE oracle_requests SET status = 'submitted', fulfil_tx_hash = ?, fulfil_raw_tx = ?, attempts = attempts + 1,
                       updated_at = now()
                 WHERE chain = ? AND oracle_address = ? AND request_id = ?
                """).params(txHash, rawTx, r.chain(), r.oracleAddress(), new java.math.BigDecimal(r.requestId())).update();
    }

    public void finish(OracleRequest r, String status, Long gasUsed, String error) {
        jdbc.sql("""
                UPDATE oracle_requests SET status = ?, fulfil_gas_used = ?, error = ?, fulfil_raw_tx = NULL, updated_at = now()
                 WHERE chain = ? AND oracle_address = ? AND request_id = ?
                """).params(status, gasUsed, error, r.chain(), r.oracleAddress(), new java.math.BigDecimal(r.requestId())).update();
    }

    /** One more failed attempt at a request that stays {@code proving}, with the reason. */
    public void failedAttempt(OracleRequest r, String error) {
        jdbc.sql("""
                UPDATE oracle_requests SET attempts = attempts + 1, error = ?, updated_at = now()
                 WHERE chain = ? AND oracle_address = ? AND request_id = ?
                """).params(error, r.chain(), r.oracleAddress(), new java.math.BigDecimal(r.requestId())).update();
    }

    /** Back to {@code proving} (a fulfilment that did not land), with the reason. */
    public void retry(OracleRequest r, String error) {
        jdbc.sql("""
                UPDATE oracle_requests SET status = 'proving', fulfil_tx_hash = NULL, fulfil_raw_tx = NULL, error = ?, updated_at = now()
                 WHERE chain = ? AND oracle_address = ? AND request_id = ?
                """).params(error, r.chain(), r.oracleAddress(), new java.math.BigDecimal(r.requestId())).update();
    }

    private Deployment mapDeployment(ResultSet rs, int row) throws SQLException {
        return new Deployment(rs.getObject("id", UUID.class), rs.getObject("circuit_id", UUID.class), rs.getString("chain"),
                rs.getLong("chain_id"), rs.getString("registry_address"), rs.getString("oracle_address"),
                rs.getString("verifier_address"), rs.getBigDecimal("registry_model_id").toBigIntegerExact(),
                rs.getInt("input_words"), rs.getInt("output_words"), rs.getBoolean("hashed_inputs"),
                json.read(rs.getString("transactions"), STEPS),
                rs.getString("consumer") == null ? null : json.read(rs.getString("consumer"), CONSUMER),
                rs.getTimestamp("created_at").toInstant());
    }

    private OracleRequest mapRequest(ResultSet rs, int row) throws SQLException {
        long gas = rs.getLong("fulfil_gas_used");
        Long gasUsed = rs.wasNull() ? null : gas;
        return new OracleRequest(rs.getString("chain"), rs.getString("oracle_address"),
                rs.getBigDecimal("request_id").toBigIntegerExact(), rs.getObject("deployment_id", UUID.class),
                json.read(rs.getString("inputs"), STRINGS), rs.getLong("deadline"), rs.getLong("block_number"),
                rs.getString("request_tx_hash"), rs.getString("status"), rs.getObject("inference_id", UUID.class),
                rs.getString("fulfil_tx_hash"), rs.getString("fulfil_raw_tx"), gasUsed, rs.getInt("attempts"),
                rs.getString("error"), rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
    }
}
