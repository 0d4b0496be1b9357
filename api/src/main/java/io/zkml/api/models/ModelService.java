package io.zkml.api.models;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.zkml.api.artifacts.ArtifactRepository;
import io.zkml.api.idempotency.IdempotencyKeys;
import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;
import io.zkml.api.support.LruCache;
import io.zkml.compiler.model.ImportLimits;
import io.zkml.compiler.model.ImportedModel;
import io.zkml.compiler.model.ModelImporter;
import io.zkml.compiler.model.ModelImporters;
import io.zkml.compiler.tribuo.ModelFormatException;

/**
 * Uploads and reads models. An upload is parsed by the compiler's importer of its {@code format}
 * ({@link ModelImporters}; each importer reads untrusted bytes without running code they name),
 * within the configured {@link ImportLimits} ({@code zkml.models.*}), before anything is stored:
 * a file that fails to parse leaves no trace. This class knows no model format or class itself.
 */
@Service
public class ModelService {

    /** The format of an upload that names none. */
    public static final String DEFAULT_FORMAT = "tribuo";
    /** Longest model name accepted. */
    public static final int MAX_NAME_LENGTH = 200;

    /**
     * How the importers word the refusal of a whole model's class (the top-level class, not a
     * component or a member): {@code model type "<class>" is not supported; ...}.
     */
    private static final Pattern REFUSED_MODEL_CLASS = Pattern.compile("^model type \"(.+)\" is not supported; ");

    private final ModelRepository models;
    private final IdempotencyKeys idempotency;
    private final ModelImporters importers;
    private final ImportLimits limits;
    private final LruCache<UUID, ImportedModel> imported = new LruCache<>(16);

    public ModelService(ModelRepository models, IdempotencyKeys idempotency, ModelImporters importers,
                        ModelImportProperties properties) {
        this.models = models;
        this.idempotency = idempotency;
        this.importers = importers;
        this.limits = properties.limits();
    }

    /**
     * Parses and stores an upload.
     *
     * @param format the upload's format; blank → {@link #DEFAULT_FORMAT}
     * @param name the model's name; blank → {@code fallbackName}
     * @param idempotencyKey the request's {@code Idempotency-Key}, or null
     * @throws ApiException {@code unsupported-model-format}, {@code model-too-large},
     *     {@code invalid-model}, {@code unsupported-model-type} or {@code model-limit-exceeded}
     */
    @Transactional
    public ModelRecord upload(byte[] bytes, String format, String name, String fallbackName, String idempotencyKey) {
        return upload(bytes, format, name, fallbackName, idempotencyKey, null, null);
    }

    /**
     * Parses and stores an upload whose input values may be named (the upload's {@code features}
     * field, issue 6: formats such as ONNX whose inputs are a tensor; formats that name their
     * features themselves refuse names with {@code invalid-request}).
     *
     * @param featureNames the names of the input values in order, or null for the model's own
     */
    @Transactional
    public ModelRecord upload(byte[] bytes, String format, String name, String fallbackName, String idempotencyKey,
                              List<String> featureNames) {
        return upload(bytes, format, name, fallbackName, idempotencyKey, featureNames, null);
    }

    /**
     * As {@link #upload(byte[], String, String, String, String, List)} with class labels (the upload's
     * {@code labels} field, issue 6): networks only, one distinct label per score, in score order;
     * they name the classes of the model's argmax, or of a circuit's {@code "output": "argmax"}.
     */
    @Transactional
    public ModelRecord upload(byte[] bytes, String format, String name, String fallbackName, String idempotencyKey,
                              List<String> featureNames, List<String> labels) {
        return upload(bytes, format, name, fallbackName, idempotencyKey, featureNames, labels, null);
    }

    /** As {@link #upload(byte[], String, String, String, String, List, List)} with the free-form metadata map (issue 9; null: none). */
    @Transactional
    public ModelRecord upload(byte[] bytes, String format, String name, String fallbackName, String idempotencyKey,
                              List<String> featureNames, List<String> labels, Map<String, String> metadata) {
        String fmt = format == null || format.isBlank() ? DEFAULT_FORMAT : format.strip().toLowerCase(Locale.ROOT);
        ModelImporter importer = importers.forFormat(fmt).orElseThrow(() -> new ApiException(
                ProblemType.UNSUPPORTED_MODEL_FORMAT,
                "format '" + format + "' is not supported; this service accepts "
                        + importers.formats().stream().map(f -> "'" + f + "'").collect(Collectors.joining(", ")),
                Map.of("supportedFormats", importers.formats())));
        String modelName = name != null && !name.isBlank() ? name.strip()
                : fallbackName != null && !fallbackName.isBlank() ? fallbackName.strip() : "model";
        // issue 9 (defect 5): characters, not UTF-16 units; no control characters (PostgreSQL refuses NUL)
        int length = modelName.codePointCount(0, modelName.length());
        if (length > MAX_NAME_LENGTH) {
            throw new ApiException(ProblemType.INVALID_REQUEST,
                    "name is " + length + " characters long; the limit is " + MAX_NAME_LENGTH, Map.of("field", "name"));
        }
        if (modelName.codePoints().anyMatch(Character::isISOControl)) {
            throw new ApiException(ProblemType.INVALID_REQUEST,
                    "name contains a control character (U+0000..U+001F or U+007F..U+009F); use printable text",
                    Map.of("field", "name"));
        }
        ImportedModel model = featureNames == null ? read(importer, bytes, limits) : read(importer, bytes, limits, featureNames);
        String sha = ArtifactRepository.sha256(bytes);
        UUID id = UUID.randomUUID();
        if (labels != null) {
            if (model.family() != io.zkml.compiler.model.ModelFamily.MLP) {
                throw new ApiException(ProblemType.INVALID_REQUEST, "labels: only networks (family mlp) take labels; this model is "
                        + model.family().apiName() + " and names its outputs itself");
            }
            if (labels.size() != model.outputs().size() || labels.stream().distinct().count() != labels.size()) {
                throw new ApiException(ProblemType.INVALID_REQUEST, "labels: the model has " + model.outputs().size()
                        + " scores; give as many distinct labels, in score order (got " + labels.size() + ")");
            }
        }
        Optional<UUID> earlier = idempotency.claim(idempotencyKey, "POST /v1/models", sha + "\n" + fmt + "\n" + modelName
                + (featureNames == null ? "" : "\n" + String.join("\n", featureNames))
                + (labels == null ? "" : "\nlabels\n" + String.join("\n", labels))
                + (metadata == null ? "" : "\nmetadata=" + new java.util.TreeMap<>(metadata)), id);
        if (earlier.isPresent()) {
            return get(earlier.get());
        }
        ModelRecord record = new ModelRecord(id, modelName, fmt, sha, model.modelClass(), model.task().irName(),
                model.family().apiName(), model.memberCount(), model.maxDepth(),
                model.features(), model.outputs(), bytes.length, Instant.now());
        models.insert(record, bytes);
        if (labels != null) {
            models.setLabels(record.id(), labels);
        }
        models.setMetadata(record.id(), metadata);
        imported.getUnchecked(record.id(), key -> model);
        return models.find(record.id()).orElseThrow();
    }

    /** The upload's metadata map (issue 9), or null. */
    public Map<String, String> metadata(UUID id) {
        return models.metadata(id);
    }

    /** The class labels named at upload, or null. */
    public List<String> labels(UUID id) {
        return models.labels(id);
    }

    public ModelRecord get(UUID id) {
        return models.find(id).orElseThrow(() -> ApiException.notFound("model", id.toString()));
    }

    /** The parsed model (cached), for compiling and for float predictions. */
    public ImportedModel imported(UUID id) {
        return imported.getUnchecked(id, key -> {
            ModelRecord record = get(key);
            byte[] bytes = models.bytes(key).orElseThrow(() -> ApiException.notFound("model", key.toString()));
            ModelImporter importer = importers.forFormat(record.format()).orElseThrow(() -> new IllegalStateException(
                    "stored model " + key + " is of format '" + record.format() + "', which no importer reads any more"));
            try {
                ImportedModel m = importer.read(bytes, limits);
                // Named at upload (the features field): read with the stored names.
                return m.features().equals(record.features()) ? m : importer.read(bytes, limits, record.features());
            } catch (ModelFormatException e) {
                if (e.reason() == ModelFormatException.Reason.LIMIT_EXCEEDED) {
                    String property = ModelImportProperties.propertyOf(e.limitName());
                    throw new IllegalStateException("stored model " + key + " exceeds a limit lowered since its upload ("
                            + (property == null ? e.limitName() : property) + "): " + e.getMessage(), e);
                }
                // It was read successfully at upload: the importer changed incompatibly.
                throw new IllegalStateException("stored model " + key + " can no longer be read: " + e.getMessage(), e);
            }
        });
    }

    /** Reads an upload with named inputs; names that do not fit are an {@code invalid-request}. */
    static ImportedModel read(ModelImporter importer, byte[] bytes, ImportLimits limits, List<String> featureNames) {
        try {
            return importer.read(bytes, limits, featureNames);
        } catch (ModelFormatException e) {
            throw problem(e, importer.supportedModelClasses());
        } catch (IllegalArgumentException e) {
            throw new ApiException(ProblemType.INVALID_REQUEST, "features: " + e.getMessage());
        }
    }

    /**
     * A multipart list field: a JSON array of strings ({@code ["a","b"]}) or comma-separated names
     * ({@code a,b}); null or blank gives null.
     */
    public static List<String> names(String field, String what) {
        if (field == null || field.isBlank()) {
            return null;
        }
        String f = field.strip();
        List<String> out = new java.util.ArrayList<>();
        if (f.startsWith("[")) {
            try {
                tools.jackson.databind.JsonNode a = tools.jackson.databind.json.JsonMapper.builder().build().readTree(f);
                for (tools.jackson.databind.JsonNode v : a) {
                    if (!v.isString()) {
                        throw new ApiException(ProblemType.INVALID_REQUEST, what + " must be a JSON array of strings or comma-separated names");
                    }
                    out.add(v.asString());
                }
            } catch (tools.jackson.core.JacksonException e) {
                throw new ApiException(ProblemType.INVALID_REQUEST, what + " is not a JSON array: " + e.getOriginalMessage());
            }
        } else {
            for (String s : f.split(",", -1)) {
                out.add(s.strip());
            }
        }
        for (String s : out) {
            if (s.isEmpty() || s.length() > 200) {
                throw new ApiException(ProblemType.INVALID_REQUEST, what + ": every name must have 1 to 200 characters");
            }
        }
        return List.copyOf(out);
    }

    /** Reads an upload; a failure becomes the problem type of its reason. */
    static ImportedModel read(ModelImporter importer, byte[] bytes, ImportLimits limits) {
        try {
            return importer.read(bytes, limits);
        } catch (ModelFormatException e) {
            throw problem(e, importer.supportedModelClasses());
        }
    }

    /** The problem for a model the importer refused. */
    public static ApiException problem(ModelFormatException e, List<String> supportedModelClasses) {
        String reason = e.reason().name().toLowerCase(Locale.ROOT).replace('_', '-');
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("reason", reason);
        ProblemType type = switch (e.reason()) {
            case TOO_LARGE -> ProblemType.MODEL_TOO_LARGE;
            case EMPTY, JAVA_SERIALIZED, NOT_PROTOBUF -> ProblemType.INVALID_MODEL;
            case UNSUPPORTED_MODEL_TYPE -> {
                refusedModelClass(e.getMessage()).ifPresent(c -> props.put("modelClass", c));
                props.put("supportedModelClasses", List.copyOf(supportedModelClasses));
                yield ProblemType.UNSUPPORTED_MODEL_TYPE;
            }
            case UNSUPPORTED_OPERATOR -> {
                props.put("operators", e.unsupportedOperators().stream()
                        .map(u -> Map.of("opType", u.opType(), "node", u.node())).toList());
                yield ProblemType.UNSUPPORTED_OPERATOR;
            }
            case LIMIT_EXCEEDED -> {
                props.put("limit", e.limitName());
                props.put("limitValue", e.limitValue());
                props.put("actualValue", e.actualValue());
                yield ProblemType.MODEL_LIMIT_EXCEEDED;
            }
        };
        return new ApiException(type, e.getMessage(), props);
    }

    /**
     * The model class an {@code UNSUPPORTED_MODEL_TYPE} refusal names, when the whole model's
     * class was refused (not one of its components, members or versions) and the importer's message
     * holds the class name in full (not cut short).
     */
    static Optional<String> refusedModelClass(String message) {
        if (message == null) {
            return Optional.empty();
        }
        Matcher m = REFUSED_MODEL_CLASS.matcher(message);
        if (!m.find() || m.group(1).endsWith("...")) {
            return Optional.empty();
        }
        return Optional.of(m.group(1));
    }
}
