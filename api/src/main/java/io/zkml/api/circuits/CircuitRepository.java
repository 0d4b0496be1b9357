package io.zkml.api.circuits;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.List;
import java.util.UUID;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.zkml.api.artifacts.ArtifactVersions;
import io.zkml.api.support.Json;

/** The {@code circuits} table. */
@Repository
public class CircuitRepository {

    private static final TypeReference<Map<String, Long>> TIMINGS = new TypeReference<>() { };
    private static final TypeReference<java.util.LinkedHashMap<String, Integer>> CONSTRAINTS_BY_OP = new TypeReference<>() { };

    private final JdbcClient jdbc;
    private final Json json;

    public CircuitRepository(JdbcClient jdbc, Json json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public void insert(UUID id, UUID modelId, String provingSystem, QuantizationRequest settings, VisibilityRequest visibility) {
        insert(id, modelId, provingSystem, settings, visibility, null);
    }

    /** A new circuit with the trust of its setup (issue 7; null: not recorded, as before v16). */
    public void insert(UUID id, UUID modelId, String provingSystem, QuantizationRequest settings, VisibilityRequest visibility,
                       String setupTrust) {
        jdbc.sql("INSERT INTO circuits (id, model_id, status, proving_system, settings, visibility, setup_trust)"
                        + " VALUES (?, ?, 'queued', ?, ?::json, ?::json, ?)")
                .params(id, modelId, provingSystem, json.write(settings), json.write(visibility), setupTrust)
                .update();
    }

    /** Issue 6: the circuit's output mode ({@code "argmax"}), or null for the model's own output. */
    public void setOutput(UUID id, String output) {
        jdbc.sql("UPDATE circuits SET output = ? WHERE id = ?").params(output, id).update();
    }

    /** Issue 9: the capability tags a worker needs to prove for this circuit (its prove jobs' required_tags). */
    public void setWorkerTags(UUID id, List<String> tags) {
        jdbc.sql("UPDATE circuits SET worker_tags = CAST(? AS text[]) WHERE id = ?")
                .params(tags.toArray(String[]::new), id).update();
    }

    /** The circuit's required worker tags (empty: any worker, or an unknown id). */
    public List<String> workerTags(UUID id) {
        return jdbc.sql("SELECT worker_tags FROM circuits WHERE id = ?").param(id)
                .query((rs, n) -> List.of((String[]) rs.getArray(1).getArray())).optional().orElse(List.of());
    }

    /** Issue 8: the rows one proof of the circuit covers (1: no batches). */
    public void setBatchSize(UUID id, int batchSize) {
        jdbc.sql("UPDATE circuits SET batch_size = ? WHERE id = ?").params(batchSize, id).update();
    }

    /** The circuit's batch size (1 for a circuit without batches, or an unknown id). */
    public int batchSize(UUID id) {
        return jdbc.sql("SELECT batch_size FROM circuits WHERE id = ?").param(id).query((rs, n) -> rs.getInt(1))
                .optional().orElse(1);
    }

    /** Issue 8: the one-row IR a batch circuit repeats (its own IR is the batched one). */
    public void setSingleIr(UUID id, String irSha256) {
        jdbc.sql("UPDATE circuits SET single_ir_sha256 = ? WHERE id = ?").params(irSha256, id).update();
    }

    /** Issue 8, hashed weights: the circuit's weights salt (kept for its lifetime: every proof needs it). */
    public void setWeightsSalt(UUID id, String salt) {
        jdbc.sql("UPDATE circuits SET weights_salt = ? WHERE id = ?").params(salt, id).update();
    }

    /** Issue 8: the artifact of the private weights and their commitment, once compiled. */
    public void setWeights(UUID id, String weightsSha256, String commitment) {
        jdbc.sql("UPDATE circuits SET weights_sha256 = ?, weights_commitment = ? WHERE id = ?")
                .params(weightsSha256, commitment, id).update();
    }

    /** Issue 8: a circuit's hashed weights (artifact, salt, commitment; each null until known), or empty for fixed weights. */
    public Optional<HashedWeightsInfo> hashedWeights(UUID id) {
        return jdbc.sql("SELECT weights_sha256, weights_salt, weights_commitment FROM circuits WHERE id = ?"
                        + " AND weights_salt IS NOT NULL").param(id)
                .query((rs, n) -> new HashedWeightsInfo(rs.getString(1), rs.getString(2), rs.getString(3))).optional();
    }

    /** Where a circuit's hashed weights are: the weights artifact, the salt, the commitment. */
    public record HashedWeightsInfo(String weightsSha256, String salt, String commitment) {
    }

    /** The one-row IR's SHA-256 of a batch circuit, or null. */
    public String singleIr(UUID id) {
        return jdbc.sql("SELECT single_ir_sha256 FROM circuits WHERE id = ?").param(id).query((rs, n) -> rs.getString(1))
                .optional().orElse(null);
    }

    /** Issue 9: locks the circuit's row FOR KEY SHARE (see CircuitService#lockForUse); empty if it does not exist. */
    public Optional<UUID> lockForUse(UUID id) {
        return jdbc.sql("SELECT id FROM circuits WHERE id = ? FOR KEY SHARE").param(id).query(UUID.class).optional();
    }

    /** A circuit's row and its batch size, read under {@code FOR KEY SHARE} (issue 9, ADR 0027). */
    public record ForUse(CircuitRecord circuit, int batchSize) {
    }

    /**
     * Issue 9 (ADR 0027): {@link #lockForUse}, {@link #find} and {@link #batchSize} in one query: the
     * row locked {@code FOR KEY SHARE} until the transaction ends; empty if it does not exist.
     */
    public Optional<ForUse> findForUse(UUID id) {
        return jdbc.sql("SELECT * FROM circuits WHERE id = ? FOR KEY SHARE").param(id)
                .query((rs, n) -> new ForUse(map(rs, n), rs.getInt("batch_size"))).optional();
    }

    /** Issue 9: the same for a model a new circuit will refer to. */
    public Optional<UUID> lockModelForUse(UUID modelId) {
        return jdbc.sql("SELECT id FROM models WHERE id = ? FOR KEY SHARE").param(modelId).query(UUID.class).optional();
    }

    /** Issue 9: the step the compile job is on (V42 circuits.step; docs/operations.md "Progress"). */
    public void setStep(UUID id, String step) {
        jdbc.sql("UPDATE circuits SET step = ?, updated_at = now() WHERE id = ?").params(step, id).update();
    }

    /** The stored step, or null. */
    public String step(UUID id) {
        return jdbc.sql("SELECT step FROM circuits WHERE id = ?").param(id).query((rs, n) -> rs.getString(1))
                .optional().orElse(null);
    }

    /** A ceremony's external contributions so far and the minimum (issue 7), or null without a ceremony. */
    public int[] ceremonyContributions(UUID id) {
        return jdbc.sql("""
                SELECT (SELECT count(*) FROM ceremony_contributions k WHERE k.circuit_id = c.circuit_id
                           AND k.contributor = 'external'), c.min_contributions
                  FROM ceremonies c WHERE c.circuit_id = ?
                """).param(id).query((rs, n) -> new int[] {rs.getInt(1), rs.getInt(2)}).optional().orElse(null);
    }

    /** Issue 9: the request's free-form metadata map (V42), stored once. */
    public void setMetadata(UUID id, Map<String, String> metadata) {
        io.zkml.api.support.Metadata.store(jdbc, json, "circuits", id, metadata);
    }

    /** The request's metadata map, or null. */
    public Map<String, String> metadata(UUID id) {
        return io.zkml.api.support.Metadata.read(jdbc, json, "circuits", id);
    }

    /** Issue 7: how the circuit range-checks ({@code "bits"} or {@code "lookup"}). */
    public void setRangeCheck(UUID id, String rangeCheck) {
        jdbc.sql("UPDATE circuits SET range_check = ? WHERE id = ?").params(rangeCheck, id).update();
    }

    /** The circuit's range checks: {@code "bits"} (also for circuits made before V40, or an unknown id) or {@code "lookup"}. */
    public String rangeCheck(UUID id) {
        return jdbc.sql("SELECT range_check FROM circuits WHERE id = ?").param(id).query((rs, n) -> rs.getString(1))
                .optional().orElse(RangeCheck.BITS);
    }

    /** The circuit's output mode, or null. */
    public String output(UUID id) {
        return jdbc.sql("SELECT output FROM circuits WHERE id = ?").param(id).query((rs, n) -> rs.getString(1))
                .optional().orElse(null);
    }

    public Optional<CircuitRecord> find(UUID id) {
        return jdbc.sql("SELECT * FROM circuits WHERE id = ?").param(id).query(this::map).optional();
    }

    public void markCompiling(UUID id) {
        jdbc.sql("UPDATE circuits SET status = 'compiling', error = NULL, updated_at = now() WHERE id = ?").param(id).update();
    }

    /** The IR and the constraint system exist; the Groth16 setup starts. */
    public void markSettingUp(UUID id, String irSha256, String csSha256, String circuitHash, int constraints,
                              Map<String, Integer> constraintsByOp, int publicInputs, Object quantization,
                              ArtifactVersions versions, Map<String, Long> timings) {
        jdbc.sql("""
                UPDATE circuits SET status = 'setting_up', ir_sha256 = ?, cs_sha256 = ?, circuit_hash = ?, constraints = ?,
                       constraints_by_op = ?::json, public_inputs = ?, quantization = ?::json, versions = ?::json,
                       timings = ?::json, updated_at = now()
                 WHERE id = ?
                """)
                .params(irSha256, csSha256, circuitHash, constraints, json.write(constraintsByOp), publicInputs,
                        json.write(quantization), json.write(versions), json.write(timings), id)
                .update();
    }

    public void markReady(UUID id, String pkSha256, String vkSha256, String verifierSha256, String verifyingKeyHash,
                          Map<String, Long> timings) {
        jdbc.sql("""
                UPDATE circuits SET status = 'ready', pk_sha256 = ?, vk_sha256 = ?, verifier_sha256 = ?,
                       verifying_key_hash = ?, timings = ?::json, error = NULL, updated_at = now()
                 WHERE id = ?
                """)
                .params(pkSha256, vkSha256, verifierSha256, verifyingKeyHash, json.write(timings), id)
                .update();
    }

    /** As {@link #markReady(UUID, String, String, String, String, Map)}, with what the setup made (issue 7). */
    public void markReady(UUID id, String pkSha256, String vkSha256, String verifierSha256, String verifyingKeyHash,
                          Map<String, Long> timings, SetupInfo setup) {
        jdbc.sql("""
                UPDATE circuits SET status = 'ready', pk_sha256 = ?, vk_sha256 = ?, verifier_sha256 = ?,
                       verifying_key_hash = ?, timings = ?::json, setup = ?::json, error = NULL, updated_at = now()
                 WHERE id = ?
                """)
                .params(pkSha256, vkSha256, verifierSha256, verifyingKeyHash, json.write(timings), json.write(setup), id)
                .update();
    }

    /** A ceremony circuit whose phase 2 is open (issue 7): the service contributed, uploads are awaited. */
    public void markAwaitingContributions(UUID id, Map<String, Long> timings, SetupInfo setup) {
        jdbc.sql("""
                UPDATE circuits SET status = 'awaiting_contributions', timings = ?::json, setup = ?::json, error = NULL,
                       updated_at = now()
                 WHERE id = ?
                """)
                .params(json.write(timings), json.write(setup), id)
                .update();
    }

    /** Back to {@code queued} after a lost or failed attempt that will be retried. */
    public void requeue(UUID id) {
        jdbc.sql("UPDATE circuits SET status = 'queued', updated_at = now() WHERE id = ? AND status IN ('compiling', 'setting_up')")
                .param(id).update();
    }

    public void fail(UUID id, String error) {
        jdbc.sql("UPDATE circuits SET status = 'failed', error = ?, updated_at = now() WHERE id = ? AND status <> 'ready'")
                .params(error, id).update();
    }

    private CircuitRecord map(ResultSet rs, int n) throws SQLException {
        return new CircuitRecord(rs.getObject("id", UUID.class), rs.getObject("model_id", UUID.class),
                CircuitStatus.fromDb(rs.getString("status")), rs.getString("proving_system"),
                json.read(rs.getString("settings"), QuantizationRequest.class),
                json.read(rs.getString("quantization"), JsonNode.class), (Integer) rs.getObject("constraints"),
                json.read(rs.getString("constraints_by_op"), CONSTRAINTS_BY_OP), (Integer) rs.getObject("public_inputs"), rs.getString("circuit_hash"), rs.getString("verifying_key_hash"),
                rs.getString("ir_sha256"), rs.getString("cs_sha256"), rs.getString("pk_sha256"),
                rs.getString("vk_sha256"), rs.getString("verifier_sha256"),
                json.read(rs.getString("versions"), ArtifactVersions.class), json.read(rs.getString("timings"), TIMINGS),
                rs.getString("error"), rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant(),
                json.read(rs.getString("visibility"), VisibilityRequest.class), rs.getString("setup_trust"),
                json.read(rs.getString("setup"), SetupInfo.class));
    }

    /**
     * A page of an owner's circuits, newest first, optionally of one model and in one status: at most
     * {@code limit + 1} rows after {@code after} (null: from the newest), see {@link io.zkml.api.support.Pages}.
     */
    public java.util.List<CircuitRecord> listByOwner(String owner, UUID modelId, String status,
                                                     io.zkml.api.support.Pages.Cursor after, int limit) {
        return jdbc.sql("SELECT * FROM circuits WHERE owner = :owner"
                        + " AND (CAST(:model AS uuid) IS NULL OR model_id = :model)"
                        + " AND (CAST(:status AS text) IS NULL OR status = :status)"
                        + " AND " + io.zkml.api.support.Pages.AFTER + " ORDER BY created_at DESC, id DESC LIMIT :limit")
                .param("owner", owner)
                .param("model", modelId)
                .param("status", status)
                .param("afterAt", after == null ? null : after.createdAt())
                .param("afterId", after == null ? null : after.id())
                .param("limit", limit + 1)
                .query(this::map).list();
    }
}
