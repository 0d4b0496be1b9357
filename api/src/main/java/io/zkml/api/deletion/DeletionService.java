package io.zkml.api.deletion;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;

/**
 * Deletion of models and circuits (issue 9, docs/operations.md "Deletion"). A circuit is deleted
 * with its inferences and batches (their proofs too), its ceremony, its idempotency keys; its queued
 * jobs (compile, prove, callback deliveries) end {@code failed} "cancelled: ... deleted" and send no
 * callback. Refused with 409 {@code resource-in-use} (nothing changed) while the circuit has an
 * on-chain deployment recorded or a running job. Then every artifact it referred to that no other
 * circuit, ceremony or contribution refers to is removed (artifacts are content-addressed and
 * shared: two circuits with the same IR or keys share the rows). A model is deleted only without
 * circuits, or with {@code cascade} and all of its circuits deletable.
 */
@Service
public class DeletionService {

    private static final Logger log = LoggerFactory.getLogger(DeletionService.class);
    static final String CANCELLED = "cancelled: its circuit was deleted";

    private final JdbcClient jdbc;
    private final TransactionTemplate nested;

    DeletionService(JdbcClient jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.nested = new TransactionTemplate(transactions);
        this.nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
    }

    /** What a deletion removed: the rows and the artifacts garbage-collected. */
    public record Deleted(int circuits, int inferences, int cancelledJobs, List<String> artifactsRemoved) {
    }

    @Transactional
    public Deleted deleteModel(UUID id, boolean cascade) {
        if (jdbc.sql("SELECT id FROM models WHERE id = ? FOR UPDATE").param(id).query(UUID.class).optional().isEmpty()) {
            throw ApiException.notFound("model", id.toString());
        }
        List<Map<String, Object>> circuits = jdbc.sql("SELECT id, status FROM circuits WHERE model_id = ? ORDER BY created_at, id")
                .param(id).query((rs, n) -> reference("circuit", rs.getObject(1, UUID.class), "status", rs.getString(2))).list();
        if (!circuits.isEmpty() && !cascade) {
            throw new ApiException(ProblemType.RESOURCE_IN_USE, "model " + id + " has " + circuits.size()
                    + " circuit(s): DELETE them first, or DELETE /v1/models/" + id + "?cascade=true",
                    Map.of("references", circuits));
        }
        int inferences = 0;
        int cancelled = 0;
        List<String> removed = new ArrayList<>();
        for (Map<String, Object> c : circuits) {
            Deleted d = deleteCircuit((UUID) c.get("id"));
            inferences += d.inferences();
            cancelled += d.cancelledJobs();
            removed.addAll(d.artifactsRemoved());
        }
        jdbc.sql("DELETE FROM idempotency_keys WHERE resource_id = ?").param(id).update();
        jdbc.sql("DELETE FROM models WHERE id = ?").param(id).update();
        log.info("model {} deleted ({} circuits, {} inferences)", id, circuits.size(), inferences);
        return new Deleted(circuits.size(), inferences, cancelled, removed);
    }

    @Transactional
    public Deleted deleteCircuit(UUID id) {
        if (jdbc.sql("SELECT id FROM circuits WHERE id = ? FOR UPDATE").param(id).query(UUID.class).optional().isEmpty()) {
            throw ApiException.notFound("circuit", id.toString());
        }
        String subjects = "(subject_id = :id OR subject_id IN (SELECT id FROM inferences WHERE circuit_id = :id))";
        // queued jobs first: the update locks them, so no worker claims them from here on (SKIP LOCKED)
        int cancelled = jdbc.sql("UPDATE jobs SET status = 'failed', last_error = :why, finished_at = now(), updated_at = now()"
                + " WHERE status = 'queued' AND " + subjects).param("id", id).param("why", CANCELLED).update();
        List<Map<String, Object>> references = new ArrayList<>();
        references.addAll(jdbc.sql("SELECT id, chain, verifier_address FROM chain_deployments WHERE circuit_id = ? ORDER BY created_at")
                .param(id).query((rs, n) -> reference("deployment", rs.getObject(1, UUID.class), "chain", rs.getString(2),
                        "verifierAddress", rs.getString(3))).list());
        references.addAll(jdbc.sql("SELECT id, kind, subject_id FROM jobs WHERE status = 'running' AND " + subjects
                        + " ORDER BY created_at").param("id", id)
                .query((rs, n) -> reference("job", rs.getObject(1, UUID.class), "jobKind", rs.getString(2),
                        "subjectId", rs.getObject(3, UUID.class))).list());
        if (!references.isEmpty()) {
            // rolls back the cancellations above too
            throw new ApiException(ProblemType.RESOURCE_IN_USE, "circuit " + id + " is in use: "
                    + describe(references) + "; nothing was deleted", Map.of("references", references));
        }
        Set<String> artifacts = new LinkedHashSet<>(jdbc.sql("""
                SELECT s FROM circuits, unnest(ARRAY[ir_sha256::text, cs_sha256::text, pk_sha256::text, vk_sha256::text,
                                                     verifier_sha256::text, single_ir_sha256, weights_sha256]) s
                 WHERE id = :id AND s IS NOT NULL
                UNION ALL SELECT phase1_sha256::text FROM ceremonies WHERE circuit_id = :id
                UNION ALL SELECT state_sha256::text FROM ceremony_contributions WHERE circuit_id = :id
                """).param("id", id).query(String.class).list());
        jdbc.sql("DELETE FROM idempotency_keys WHERE resource_id = :id"
                + " OR resource_id IN (SELECT id FROM inferences WHERE circuit_id = :id)").param("id", id).update();
        jdbc.sql("DELETE FROM ceremony_contributions WHERE circuit_id = ?").param(id).update();
        jdbc.sql("DELETE FROM ceremonies WHERE circuit_id = ?").param(id).update();
        int inferences = jdbc.sql("DELETE FROM inferences WHERE circuit_id = ?").param(id).update();
        jdbc.sql("DELETE FROM circuits WHERE id = ?").param(id).update();
        List<String> removed = new ArrayList<>();
        for (String sha : artifacts) {
            if (collect(sha)) {
                removed.add(sha);
            }
        }
        log.info("circuit {} deleted ({} inferences, {} queued jobs cancelled, {} of {} artifacts removed)", id, inferences,
                cancelled, removed.size(), artifacts.size());
        return new Deleted(1, inferences, cancelled, removed);
    }

    /**
     * Removes an artifact nothing refers to any more; true if it did. In a savepoint: a reference
     * this service does not know of (a foreign key added later) keeps the artifact instead of failing
     * the deletion.
     */
    private boolean collect(String sha) {
        try {
            Integer n = nested.execute(status -> jdbc.sql("""
                    DELETE FROM artifacts a WHERE a.sha256 = :sha
                       AND NOT EXISTS (SELECT 1 FROM circuits WHERE ir_sha256 = :sha OR cs_sha256 = :sha OR pk_sha256 = :sha
                                          OR vk_sha256 = :sha OR verifier_sha256 = :sha OR single_ir_sha256 = :sha
                                          OR weights_sha256 = :sha)
                       AND NOT EXISTS (SELECT 1 FROM ceremonies WHERE phase1_sha256 = :sha)
                       AND NOT EXISTS (SELECT 1 FROM ceremony_contributions WHERE state_sha256 = :sha)
                    """).param("sha", sha).update());
            return n != null && n == 1;
        } catch (DataIntegrityViolationException e) {
            log.info("artifact {} is kept: something else refers to it ({})", sha, e.getMostSpecificCause().getMessage());
            return false;
        }
    }

    private static Map<String, Object> reference(String kind, UUID id, Object... more) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        m.put("id", id);
        for (int i = 0; i + 1 < more.length; i += 2) {
            if (more[i + 1] != null) {
                m.put((String) more[i], more[i + 1]);
            }
        }
        return m;
    }

    private static String describe(List<Map<String, Object>> references) {
        List<String> parts = new ArrayList<>();
        for (Map<String, Object> r : references) {
            parts.add(switch ((String) r.get("kind")) {
                case "deployment" -> "an on-chain deployment on " + r.get("chain") + " (verifier " + r.get("verifierAddress") + ")";
                case "job" -> "a running " + r.get("jobKind") + " job of " + r.get("subjectId") + " (retry once it ended)";
                default -> r.get("kind") + " " + r.get("id");
            });
        }
        return String.join(", ", parts);
    }
}
