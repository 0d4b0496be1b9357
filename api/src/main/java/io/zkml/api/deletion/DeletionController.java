package io.zkml.api.deletion;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;
import io.zkml.api.support.Ids;

/**
 * {@code DELETE /v1/models/{id}} and {@code DELETE /v1/circuits/{id}} (issue 9): 204 when deleted,
 * 404 for an unknown (or already deleted, or another owner's) id, 409 {@code resource-in-use}.
 * The owner deletes; a key with the {@code admin} scope deletes any owner's ({@code AccessInterceptor}).
 */
@RestController
class DeletionController {

    private final DeletionService service;

    DeletionController(DeletionService service) {
        this.service = service;
    }

    @DeleteMapping("/v1/models/{id}")
    ResponseEntity<Void> deleteModel(@PathVariable("id") String id,
                                     @RequestParam(name = "cascade", required = false) String cascade) {
        service.deleteModel(Ids.parse(id, "model"), flag(cascade));
        return ResponseEntity.noContent().build();
    }

    @DeleteMapping("/v1/circuits/{id}")
    ResponseEntity<Void> deleteCircuit(@PathVariable("id") String id) {
        service.deleteCircuit(Ids.parse(id, "circuit"));
        return ResponseEntity.noContent().build();
    }

    private static boolean flag(String value) {
        if (value == null || value.isEmpty() || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw new ApiException(ProblemType.INVALID_REQUEST, "cascade must be true or false, got '" + value + "'",
                java.util.Map.of("field", "cascade"));
    }
}
