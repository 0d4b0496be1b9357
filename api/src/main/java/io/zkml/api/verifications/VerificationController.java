package io.zkml.api.verifications;

import tools.jackson.databind.JsonNode;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;

/** {@code POST /v1/verifications}: check a proof without trusting the service that made it. */
@RestController
class VerificationController {

    private final VerificationService service;

    VerificationController(VerificationService service) {
        this.service = service;
    }

    /** The answer: whether the proof is valid for these public inputs and this circuit's verifying key. */
    record VerificationResponse(boolean valid) {
    }

    @PostMapping(path = "/v1/verifications", consumes = MediaType.APPLICATION_JSON_VALUE)
    VerificationResponse verify(@RequestBody JsonNode body) throws Exception {
        if (!body.isObject()) {
            throw new ApiException(ProblemType.INVALID_REQUEST,
                    "the body must be a JSON object {\"circuitId\", \"proof\", \"publicInputs\"}");
        }
        return new VerificationResponse(service.verify(body.get("circuitId"), body.get("proof"), body.get("publicInputs")));
    }
}
