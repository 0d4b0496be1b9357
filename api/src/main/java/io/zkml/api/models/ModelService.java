package io.zkml.api.models;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.zkml.api.artifacts.ArtifactRepository;
import io.zkml.api.idempotency.IdempotencyKeys;
import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;
import io.zkml.api.support.LruCache;
import io.zkml.compiler.tribuo.ImportedModel;
import io.zkml.compiler.tribuo.ModelFormatException;
import io.zkml.compiler.tribuo.TribuoModelReader;

/**
 * Uploads and reads models. An upload is parsed by the compiler's {@link TribuoModelReader} (a
 * protobuf reader that never deserializes Java objects) before anything is stored: a file that
 * fails to parse leaves no trace.
 */
@Service
public class ModelService {

    /** The only model format of API v1. */
    public static final String FORMAT_TRIBUO = "tribuo";
    /** Longest model name accepted. */
    public static final int MAX_NAME_LENGTH = 200;

    private final ModelRepository models;
    private final IdempotencyKeys idempotency;
    private final LruCache<UUID, ImportedModel> imported = new LruCache<>(16);

    public ModelService(ModelRepository models, IdempotencyKeys idempotency) {
        this.models = models;
        this.idempotency = idempotency;
    }

    /**
     * Parses and stores an upload.
     *
     * @param name the model's name; blank → {@code fallbackName}
     * @param idempotencyKey the request's {@code Idempotency-Key}, or null
     * @throws ApiException {@code unsupported-model-format}, {@code model-too-large},
     *     {@code invalid-model} or {@code unsupported-model-type}
     */
    @Transactional
    public ModelRecord upload(byte[] bytes, String format, String name, String fallbackName, String idempotencyKey) {
        String fmt = format == null || format.isBlank() ? FORMAT_TRIBUO : format.strip().toLowerCase(Locale.ROOT);
        if (!FORMAT_TRIBUO.equals(fmt)) {
            throw new ApiException(ProblemType.UNSUPPORTED_MODEL_FORMAT,
                    "format '" + format + "' is not supported; API v1 accepts 'tribuo' (Tribuo's protobuf model format)",
                    Map.of("supportedFormats", java.util.List.of(FORMAT_TRIBUO)));
        }
        String modelName = name != null && !name.isBlank() ? name.strip()
                : fallbackName != null && !fallbackName.isBlank() ? fallbackName.strip() : "model";
        if (modelName.length() > MAX_NAME_LENGTH) {
            throw new ApiException(ProblemType.INVALID_REQUEST,
                    "name is " + modelName.length() + " characters long; the limit is " + MAX_NAME_LENGTH);
        }
        ImportedModel model = read(bytes);
        String sha = ArtifactRepository.sha256(bytes);
        UUID id = UUID.randomUUID();
        Optional<UUID> earlier = idempotency.claim(idempotencyKey, "POST /v1/models", sha + "\n" + fmt + "\n" + modelName, id);
        if (earlier.isPresent()) {
            return get(earlier.get());
        }
        ModelRecord record = new ModelRecord(id, modelName, fmt, sha,
                model.modelClass(), model.task().irName(), model.features(), model.outputs(), bytes.length, Instant.now());
        models.insert(record, bytes);
        imported.getUnchecked(record.id(), key -> model);
        return models.find(record.id()).orElseThrow();
    }

    public ModelRecord get(UUID id) {
        return models.find(id).orElseThrow(() -> ApiException.notFound("model", id.toString()));
    }

    /** The parsed model (cached), for compiling and for float predictions. */
    public ImportedModel imported(UUID id) {
        return imported.getUnchecked(id, key -> {
            byte[] bytes = models.bytes(key).orElseThrow(() -> ApiException.notFound("model", key.toString()));
            try {
                return TribuoModelReader.read(bytes);
            } catch (ModelFormatException e) {
                // It was read successfully at upload: the reader changed incompatibly.
                throw new IllegalStateException("stored model " + key + " can no longer be read: " + e.getMessage(), e);
            }
        });
    }

    static ImportedModel read(byte[] bytes) {
        try {
            return TribuoModelReader.read(bytes);
        } catch (ModelFormatException e) {
            String reason = e.reason().name().toLowerCase(Locale.ROOT).replace('_', '-');
            ProblemType type = switch (e.reason()) {
                case TOO_LARGE -> ProblemType.MODEL_TOO_LARGE;
                case UNSUPPORTED_MODEL_TYPE -> ProblemType.UNSUPPORTED_MODEL_TYPE;
                case EMPTY, JAVA_SERIALIZED, NOT_PROTOBUF -> ProblemType.INVALID_MODEL;
            };
            Map<String, Object> props = e.reason() == ModelFormatException.Reason.UNSUPPORTED_MODEL_TYPE
                    ? Map.of("reason", reason, "supportedModelClasses", TribuoModelReader.SUPPORTED_MODEL_CLASSES)
                    : Map.of("reason", reason);
            throw new ApiException(type, e.getMessage(), props);
        }
    }
}
