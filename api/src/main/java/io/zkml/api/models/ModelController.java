package io.zkml.api.models;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

import io.zkml.api.idempotency.IdempotencyKeys;
import io.zkml.api.support.Ids;
import io.zkml.api.support.Json;
import io.zkml.api.support.Metadata;

/** {@code /v1/models}: upload a model, read it back. */
@RestController
@RequestMapping("/v1/models")
class ModelController {

    private final ModelService service;
    private final Json json;

    ModelController(ModelService service, Json json) {
        this.service = service;
        this.json = json;
    }

    /**
     * A model as the API shows it.
     *
     * @param features feature names, in input order
     * @param outputs labels (classification, in argmax order) or output dimension names (regression)
     * @param family {@code linear}, {@code tree} or {@code ensemble}
     * @param memberCount ensemble members; 1 for a single model
     * @param maxDepth the deepest tree's depth (split nodes on the longest root-to-leaf path); 0 for a linear model
     * @param labels the class labels given at upload (issue 6: networks, one per score, in score order), or null
     * @param metadata the upload's free-form {@code metadata} map (issue 9), or null
     */
    record ModelResponse(UUID id, String name, String format, String sha256, String task, String modelClass,
                         String family, int memberCount, int maxDepth,
                         List<String> features, List<String> outputs, int sizeBytes, Instant createdAt,
                         List<String> labels, Map<String, String> metadata) {
        static ModelResponse of(ModelRecord m) {
            return of(m, null);
        }

        static ModelResponse of(ModelRecord m, List<String> labels) {
            return of(m, labels, null);
        }

        static ModelResponse of(ModelRecord m, List<String> labels, Map<String, String> metadata) {
            return new ModelResponse(m.id(), m.name(), m.format(), m.sha256(), m.task(), m.modelClass(), m.family(),
                    m.memberCount(), m.maxDepth(), m.features(), m.outputs(), m.sizeBytes(), m.createdAt(), labels, metadata);
        }
    }

    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    ResponseEntity<ModelResponse> upload(@RequestPart("file") MultipartFile file,
                                         @RequestParam(name = "format", required = false) String format,
                                         @RequestParam(name = "name", required = false) String name,
                                         @RequestParam(name = "features", required = false) String features,
                                         @RequestParam(name = "labels", required = false) String labels,
                                         @RequestParam(name = "metadata", required = false) String metadata,
                                         @RequestHeader(name = IdempotencyKeys.HEADER, required = false) String idempotencyKey)
            throws IOException {
        Map<String, String> meta = Metadata.parseText(metadata, json); // issue 9, checked before anything is read
        ModelRecord m = service.upload(file.getBytes(), format, name, file.getOriginalFilename(), idempotencyKey,
                ModelService.names(features, "features"), ModelService.names(labels, "labels"), meta);
        return ResponseEntity.created(URI.create("/v1/models/" + m.id()))
                .body(ModelResponse.of(m, service.labels(m.id()), service.metadata(m.id())));
    }

    @GetMapping("/{id}")
    ModelResponse get(@PathVariable("id") String id) {
        ModelRecord m = service.get(Ids.parse(id, "model"));
        return ModelResponse.of(m, service.labels(m.id()), service.metadata(m.id()));
    }
}
