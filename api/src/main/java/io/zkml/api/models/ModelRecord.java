package io.zkml.api.models;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A stored model, without its bytes. */
public record ModelRecord(UUID id, String name, String format, String sha256, String modelClass, String task,
                          List<String> features, List<String> outputs, int sizeBytes, Instant createdAt) {
}
