package io.zkml.api.inferences;

import java.util.UUID;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.zkml.api.security.RequestOwner;
import io.zkml.api.support.Pages;

/**
 * {@code GET /v1/inferences?circuitId=&status=}: the caller's inferences, newest first, a page at a
 * time ({@link Pages}); a {@code circuitId} that is not the caller's circuit lists nothing.
 */
@RestController
class InferenceListController {

    private final InferenceRepository inferences;

    InferenceListController(InferenceRepository inferences) {
        this.inferences = inferences;
    }

    @GetMapping("/v1/inferences")
    Pages.Page<InferenceController.InferenceResponse> list(
            @RequestParam(name = "circuitId", required = false) String circuitId,
            @RequestParam(name = "status", required = false) String status,
            @RequestParam(name = "limit", required = false) Integer limit,
            @RequestParam(name = "cursor", required = false) String cursor) {
        int n = Pages.limit(limit);
        UUID circuit = circuitId == null || circuitId.isEmpty() ? null : Pages.id(circuitId, "circuitId");
        return Pages.page(inferences.listByOwner(RequestOwner.owner(), circuit,
                        Pages.status(status, InferenceStatus.values()), Pages.decode(cursor), n), n,
                InferenceRecord::createdAt, InferenceRecord::id, InferenceController.InferenceResponse::of);
    }
}
