package io.zkml.api.models;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.zkml.api.security.RequestOwner;
import io.zkml.api.support.Pages;

/** {@code GET /v1/models}: the caller's models, newest first, a page at a time ({@link Pages}). */
@RestController
class ModelListController {

    private final ModelRepository models;

    ModelListController(ModelRepository models) {
        this.models = models;
    }

    @GetMapping("/v1/models")
    Pages.Page<ModelController.ModelResponse> list(@RequestParam(name = "limit", required = false) Integer limit,
                                                   @RequestParam(name = "cursor", required = false) String cursor) {
        int n = Pages.limit(limit);
        return Pages.page(models.listByOwner(RequestOwner.owner(), Pages.decode(cursor), n), n,
                ModelRecord::createdAt, ModelRecord::id,
                // as GET /v1/models/{id} shows it (labels, issue 9 metadata)
                m -> ModelController.ModelResponse.of(m, models.labels(m.id()), models.metadata(m.id())));
    }
}
