package io.zkml.api.inferences;

import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;

/**
 * Cancels a queued inference (issue 9): its prove job ends {@code failed} with
 * {@code last_error = 'cancelled by its owner'} and the inference {@code cancelled}, in one
 * transaction, only while the job is still queued. A worker's claim locks the job row, so a
 * cancellation racing with a claim either wins (the job is gone from the queue) or waits and finds
 * the job running (409 {@code not-cancellable}); never both. A hidden input is erased at once.
 */
@Service
public class InferenceCancellation {

    static final String REASON = "cancelled by its owner";

    private final JdbcClient jdbc;
    private final InferenceRepository inferences;

    InferenceCancellation(JdbcClient jdbc, InferenceRepository inferences) {
        this.jdbc = jdbc;
        this.inferences = inferences;
    }

    @Transactional
    public InferenceRecord cancel(UUID id) {
        InferenceRecord r = inferences.find(id).orElseThrow(() -> ApiException.notFound("inference", id.toString()));
        int jobs = jdbc.sql("""
                UPDATE jobs SET status = 'failed', last_error = ?, finished_at = now(), updated_at = now()
                 WHERE subject_id = ? AND kind = 'prove' AND status = 'queued'
                """).params(REASON, id).update();
        int rows = jobs == 0 ? 0 : jdbc.sql("""
                UPDATE inferences SET status = 'cancelled', error = ?, finished_at = now(), updated_at = now()
                 WHERE id = ? AND status = 'queued'
                """).params(REASON, id).update();
        if (rows == 0) {
            InferenceStatus status = inferences.find(id).map(InferenceRecord::status).orElse(r.status());
            // a worker claimed the job but has not marked the inference proving yet
            String now = (status == InferenceStatus.QUEUED ? InferenceStatus.PROVING : status).dbName();
            throw new ApiException(ProblemType.NOT_CANCELLABLE, "inference " + id + " is " + now
                    + "; only a queued inference can be cancelled", Map.of("currentStatus", now));
        }
        if (r.inputHidden()) {
            inferences.eraseInput(id);
        }
        return inferences.find(id).orElseThrow();
    }
}
