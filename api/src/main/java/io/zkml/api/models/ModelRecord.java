package io.zkml.api.models;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A stored model, without its bytes.
 *
 * @param family {@code linear}, {@code tree} or {@code ensemble} ({@code ModelFamily.apiName()})
 * @param memberCount ensemble members; 1 for a single model
 * @param maxDepth the deepest tree's depth; 0 for a linear model
 */
public record ModelRecord(UUID id, String name, String format, String sha256, String modelClass, String task,
                          String family, int memberCount, int maxDepth,
                          List<String> features, List<String> outputs, int sizeBytes, Instant createdAt) {
}
