package io.zkml.api.circuits;

import java.util.UUID;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.zkml.api.security.RequestOwner;
import io.zkml.api.support.Pages;

/**
 * {@code GET /v1/circuits?modelId=&status=}: the caller's circuits, newest first, a page at a time
 * ({@link Pages}); a {@code modelId} that is not the caller's model lists nothing.
 */
@RestController
class CircuitListController {

    private final CircuitRepository circuits;
    private final CircuitService service;

    CircuitListController(CircuitRepository circuits, CircuitService service) {
        this.circuits = circuits;
        this.service = service;
    }

    @GetMapping("/v1/circuits")
    Pages.Page<CircuitController.CircuitResponse> list(@RequestParam(name = "modelId", required = false) String modelId,
                                                       @RequestParam(name = "status", required = false) String status,
                                                       @RequestParam(name = "limit", required = false) Integer limit,
                                                       @RequestParam(name = "cursor", required = false) String cursor) {
        int n = Pages.limit(limit);
        UUID model = modelId == null || modelId.isEmpty() ? null : Pages.id(modelId, "modelId");
        return Pages.page(circuits.listByOwner(RequestOwner.owner(), model, Pages.status(status, CircuitStatus.values()),
                        Pages.decode(cursor), n), n,
                CircuitRecord::createdAt, CircuitRecord::id,
                // as GET /v1/circuits/{id} shows it (a batch circuit's batchSize, a network's output mode)
                c -> CircuitController.CircuitResponse.of(c, service.batchSize(c.id()), service.output(c.id()),
                        service.workerTags(c.id())));
    }
}
