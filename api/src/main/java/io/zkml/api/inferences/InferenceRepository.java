package io.zkml.api.inferences;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.zkml.api.support.Json;

/** The {@code inferences} table. */
@Repository
public class InferenceRepository {

    private static final TypeReference<List<Double>> DOUBLES = new TypeReference<>() { };
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };
    private static final TypeReference<Map<String, Long>> TIMINGS = new TypeReference<>() { };
    private static final TypeReference<Map<String, String>> METADATA = new TypeReference<>() { };

    private final JdbcClient jdbc;
    private final Json json;

    public InferenceRepository(JdbcClient jdbc, Json json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public void insert(UUID id, UUID circuitId, List<Double> input, List<String> quantizedInput) {
        insert(id, circuitId, input, quantizedInput, null, null, false);
    }

    /** An inference of a circuit with hashed inputs: with its salt (kept until the prove job ends) and commitment. */
    public void insert(UUID id, UUID circuitId, List<Double> input, List<String> quantizedInput, String salt,
                       String commitment, boolean inputHidden) {
        jdbc.sql("""
                INSERT INTO inferences (id, circuit_id, status, input, quantized_input, salt, commitment, input_hidden)
                VALUES (?, ?, 'queued', ?::jsonb, ?::jsonb, ?, ?, ?)
                """)
                .params(id, circuitId, json.write(input), json.write(quantizedInput), salt, commitment, inputHidden)
                .update();
    }

    /**
     * Issue 9 (ADR 0027): everything a new inference request stores, in one {@code INSERT … RETURNING}
     * (before: the insert, then an update each for the output commitment, the callback URL and the
     * metadata, then a read of the row).
     */
    public record NewInference(UUID id, UUID circuitId, List<Double> input, List<String> quantizedInput, String salt,
                               String commitment, boolean inputHidden, String outputSalt, String outputCommitment,
                               String callbackUrl, Map<String, String> metadata) {
    }

    /** Stores a new {@code queued} inference and returns its row. */
    public InferenceRecord insert(NewInference n) {
        return jdbc.sql("""
                INSERT INTO inferences (id, circuit_id, status, input, quantized_input, salt, commitment, input_hidden,
                                        output_salt, output_commitment, callback_url, metadata)
                VALUES (?, ?, 'queued', ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, ?::jsonb)
                RETURNING *
                """)
                .params(n.id(), n.circuitId(), json.write(n.input()), json.write(n.quantizedInput()), n.salt(),
                        n.commitment(), n.inputHidden(), n.outputSalt(), n.outputCommitment(), n.callbackUrl(),
                        n.metadata() == null ? null : json.write(n.metadata()))
                .query(this::map).single();
    }

    /** An idempotent replay's callback URL and metadata, where the stored inference has none (null: leave). */
    public void addCallbackAndMetadata(UUID id, String callbackUrl, Map<String, String> metadata) {
        if (callbackUrl != null) {
            jdbc.sql("UPDATE inferences SET callback_url = ? WHERE id = ? AND callback_url IS NULL AND status = 'queued'")
                    .params(callbackUrl, id).update();
        }
        if (metadata != null) {
            jdbc.sql("UPDATE inferences SET metadata = ?::jsonb WHERE id = ? AND metadata IS NULL")
                    .params(json.write(metadata), id).update();
        }
    }

    /** An inference's row with what {@code GET /v1/inferences/{id}} and the prove job need besides. */
    public record Row(InferenceRecord record, Integer batchRows, String callbackUrl) {
    }

    /** Issue 9 (ADR 0027): the row, its batch rows (null: not a batch) and callback URL, in one query. */
    public Optional<Row> findRow(UUID id) {
        return jdbc.sql("SELECT * FROM inferences WHERE id = ?").param(id)
                .query((rs, n) -> new Row(map(rs, n), (Integer) rs.getObject("batch_rows"), rs.getString("callback_url")))
                .optional();
    }

    /** Issue 8: marks a just inserted row as a batch of {@code rows} rows. */
    public void setBatchRows(UUID id, int rows) {
        jdbc.sql("UPDATE inferences SET batch_rows = ? WHERE id = ?").params(rows, id).update();
    }

    /** The rows of a batch, or null for an inference (or an unknown id). */
    public Integer batchRows(UUID id) {
        return jdbc.sql("SELECT batch_rows FROM inferences WHERE id = ?").param(id)
                .query((rs, n) -> (Integer) rs.getObject(1)).optional().orElse(null);
    }

    /**
     * Erases what would reveal the input of an inference whose circuit hides it (hashed or private
     * inputs): the real and the quantized input and the salt (ADR 0008). Called when its prove job
     * ends, in the transaction that records the outcome.
     */
    public void eraseInput(UUID id) {
        jdbc.sql("UPDATE inferences SET input = NULL, quantized_input = NULL, salt = NULL WHERE id = ?").param(id).update();
    }

    /** Issue 8: records the salt and the commitment of an inference's hashed outputs (before its prove job runs). */
    public void setOutputCommitment(UUID id, String outputSalt, String outputCommitment) {
        jdbc.sql("UPDATE inferences SET output_salt = ?, output_commitment = ? WHERE id = ?")
                .params(outputSalt, outputCommitment, id).update();
    }

    /**
     * Issue 8 (ADR 0008): erases the salt of the output commitment when the prove job ends; with it
     * nobody can open the commitment, so the outputs are not stored either.
     */
    public void eraseOutputSalt(UUID id) {
        jdbc.sql("UPDATE inferences SET output_salt = NULL WHERE id = ?").param(id).update();
    }

    public Optional<InferenceRecord> find(UUID id) {
        return jdbc.sql("SELECT * FROM inferences WHERE id = ?").param(id).query(this::map).optional();
    }

    public void markProving(UUID id) {
        // issue 9: the attempt is the latest prove job's (1 at the first claim)
        jdbc.sql("UPDATE inferences SET status = 'proving', phase = 'loading', started_at = now(), updated_at = now(),"
                        + " attempt = coalesce((SELECT max(attempts) FROM jobs WHERE subject_id = inferences.id), attempt + 1)"
                        + " WHERE id = ?")
                .param(id).update();
    }

    /** The running prove job's phase (V37; issue 9): {@code proving} or {@code checking}. */
    public void setPhase(UUID id, String phase) {
        jdbc.sql("UPDATE inferences SET phase = ?, updated_at = now() WHERE id = ? AND status = 'proving'")
                .params(phase, id).update();
    }

    /**
     * Issue 9 (ADR 0027): the running prove job's phase, only while job {@code jobId} is running
     * under {@code leaseOwner}, in one statement; false if nothing was updated (the lease is lost, or
     * the inference no longer proving): phases are informational, the completion checks the lease.
     */
    public boolean setPhaseInLease(UUID id, String phase, UUID jobId, String leaseOwner) {
        return jdbc.sql("UPDATE inferences SET phase = :phase, updated_at = now() WHERE id = :id AND status = 'proving'"
                        + " AND " + io.zkml.api.jobs.JobRepository.HOLDS_LEASE)
                .param("phase", phase).param("id", id).param("leaseJob", jobId).param("leaseOwner", leaseOwner)
                .update() == 1;
    }

    /**
     * As {@link #markSucceeded(UUID, Object, List, String, String, Object, Map)}, erasing in the same
     * statement the input (hidden inputs) and the output salt (hashed outputs), as
     * {@link #eraseInput} and {@link #eraseOutputSalt} would (ADR 0008).
     */
    public void markSucceeded(UUID id, Object output, List<String> publicInputs, String proof, String calldata,
                              Object fidelity, Map<String, Long> timings, boolean eraseInput, boolean eraseOutputSalt) {
        jdbc.sql("""
                UPDATE inferences SET status = 'succeeded', output = ?::json, public_inputs = ?::jsonb, proof = ?,
                       calldata = ?, fidelity = ?::json, timings = ?::json, error = NULL, finished_at = now(),
                       updated_at = now(),
                       input = CASE WHEN ? THEN NULL ELSE input END,
                       quantized_input = CASE WHEN ? THEN NULL ELSE quantized_input END,
                       salt = CASE WHEN ? THEN NULL ELSE salt END,
                       output_salt = CASE WHEN ? THEN NULL ELSE output_salt END
                 WHERE id = ?
                """)
                .params(json.write(output), json.write(publicInputs), proof, calldata, json.write(fidelity),
                        json.write(timings), eraseInput, eraseInput, eraseInput, eraseOutputSalt, id)
                .update();
    }

    /**
     * Issue 9 (ADR 0027): {@link #markSucceeded(UUID, Object, List, String, String, Object, Map, boolean, boolean)}
     * and the prove job's success in one statement ({@link io.zkml.api.jobs.JobRepository#SUCCEED_CTE}):
     * true if both happened, false if {@code leaseOwner} no longer holds job {@code jobId} (then
     * nothing changed).
     */
    public boolean markSucceededInLease(UUID id, UUID jobId, String leaseOwner, Object output, List<String> publicInputs,
                                        String proof, String calldata, Object fidelity, Map<String, Long> timings,
                                        boolean eraseInput, boolean eraseOutputSalt) {
        return jdbc.sql(io.zkml.api.jobs.JobRepository.SUCCEED_CTE + """
                UPDATE inferences SET status = 'succeeded', output = CAST(:output AS json),
                       public_inputs = CAST(:publicInputs AS jsonb), proof = :proof, calldata = :calldata,
                       fidelity = CAST(:fidelity AS json), timings = CAST(:timings AS json), error = NULL,
                       finished_at = now(), updated_at = now(),
                       input = CASE WHEN :eraseInput THEN NULL ELSE input END,
                       quantized_input = CASE WHEN :eraseInput THEN NULL ELSE quantized_input END,
                       salt = CASE WHEN :eraseInput THEN NULL ELSE salt END,
                       output_salt = CASE WHEN :eraseOutputSalt THEN NULL ELSE output_salt END
                  FROM done
                 WHERE inferences.id = :id
                """)
                .param("leaseJob", jobId).param("leaseOwner", leaseOwner)
                .param("output", json.write(output)).param("publicInputs", json.write(publicInputs))
                .param("proof", proof).param("calldata", calldata).param("fidelity", json.write(fidelity))
                .param("timings", json.write(timings)).param("eraseInput", eraseInput)
                .param("eraseOutputSalt", eraseOutputSalt).param("id", id)
                .update() == 1;
    }

    public void markSucceeded(UUID id, Object output, List<String> publicInputs, String proof, String calldata,
                              Object fidelity, Map<String, Long> timings) {
        jdbc.sql("""
                UPDATE inferences SET status = 'succeeded', output = ?::json, public_inputs = ?::jsonb, proof = ?,
                       calldata = ?, fidelity = ?::json, timings = ?::json, error = NULL, finished_at = now(),
                       updated_at = now()
                 WHERE id = ?
                """)
                .params(json.write(output), json.write(publicInputs), proof, calldata, json.write(fidelity),
                        json.write(timings), id)
                .update();
    }

    public void requeue(UUID id) {
        jdbc.sql("UPDATE inferences SET status = 'queued', phase = 'queued', updated_at = now() WHERE id = ? AND status = 'proving'")
                .param(id).update();
    }

    public void fail(UUID id, String error) {
        jdbc.sql("""
                UPDATE inferences SET status = 'failed', error = ?, finished_at = now(), updated_at = now()
                 WHERE id = ? AND status <> 'succeeded'
                """)
                .params(error, id).update();
    }

    private InferenceRecord map(ResultSet rs, int n) throws SQLException {
        return new InferenceRecord(rs.getObject("id", UUID.class), rs.getObject("circuit_id", UUID.class),
                InferenceStatus.fromDb(rs.getString("status")), json.read(rs.getString("input"), DOUBLES),
                json.read(rs.getString("quantized_input"), STRINGS), json.read(rs.getString("output"), JsonNode.class),
                json.read(rs.getString("public_inputs"), STRINGS), rs.getString("proof"), rs.getString("calldata"),
                json.read(rs.getString("fidelity"), JsonNode.class), json.read(rs.getString("timings"), TIMINGS),
                rs.getString("error"), instant(rs.getTimestamp("created_at")), instant(rs.getTimestamp("updated_at")),
                instant(rs.getTimestamp("started_at")), instant(rs.getTimestamp("finished_at")), rs.getString("salt"),
                rs.getString("commitment"), rs.getBoolean("input_hidden"), rs.getInt("attempt"),
                json.read(rs.getString("metadata"), METADATA), rs.getString("phase"), rs.getString("output_salt"),
                rs.getString("output_commitment"));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /**
     * A page of an owner's inferences, newest first, optionally of one circuit and in one status: at
     * most {@code limit + 1} rows after {@code after} (null: from the newest), see {@link io.zkml.api.support.Pages}.
     */
    public List<InferenceRecord> listByOwner(String owner, UUID circuitId, String status,
                                             io.zkml.api.support.Pages.Cursor after, int limit) {
        return jdbc.sql("SELECT * FROM inferences WHERE owner = :owner AND batch_rows IS NULL"
                        + " AND (CAST(:circuit AS uuid) IS NULL OR circuit_id = :circuit)"
                        + " AND (CAST(:status AS text) IS NULL OR status = :status)"
                        + " AND " + io.zkml.api.support.Pages.AFTER + " ORDER BY created_at DESC, id DESC LIMIT :limit")
                .param("owner", owner)
                .param("circuit", circuitId)
                .param("status", status)
                .param("afterAt", after == null ? null : after.createdAt())
                .param("afterId", after == null ? null : after.id())
                .param("limit", limit + 1)
                .query(this::map).list();
    }

    /** Issue 9: a page of an owner's batches (rows with {@code batch_rows}), as {@link #listByOwner} pages inferences. */
    public List<BatchService.Created> listBatchesByOwner(String owner, UUID circuitId, String status,
                                                         io.zkml.api.support.Pages.Cursor after, int limit) {
        return jdbc.sql("SELECT * FROM inferences WHERE owner = :owner AND batch_rows IS NOT NULL"
                        + " AND (CAST(:circuit AS uuid) IS NULL OR circuit_id = :circuit)"
                        + " AND (CAST(:status AS text) IS NULL OR status = :status)"
                        + " AND " + io.zkml.api.support.Pages.AFTER + " ORDER BY created_at DESC, id DESC LIMIT :limit")
                .param("owner", owner)
                .param("circuit", circuitId)
                .param("status", status)
                .param("afterAt", after == null ? null : after.createdAt())
                .param("afterId", after == null ? null : after.id())
                .param("limit", limit + 1)
                .query((rs, n) -> new BatchService.Created(map(rs, n), rs.getInt("batch_rows"), null)).list();
    }
}
