package io.zkml.api.inferences;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import io.zkml.api.support.Ids;

/** {@code POST /v1/inferences/{id}/cancel} (issue 9): cancels a queued inference (scope prove, its owner only). */
@RestController
class InferenceCancelController {

    private final InferenceCancellation cancellation;

    InferenceCancelController(InferenceCancellation cancellation) {
        this.cancellation = cancellation;
    }

    @PostMapping("/v1/inferences/{inferenceId}/cancel")
    InferenceController.InferenceResponse cancel(@PathVariable("inferenceId") String inferenceId) {
        return InferenceController.InferenceResponse.of(cancellation.cancel(Ids.parse(inferenceId, "inference")));
    }
}
