package io.zkml.api.artifacts;

/** An artifact row with its bytes. */
public record StoredArtifact(String sha256, ArtifactKind kind, byte[] bytes, ArtifactVersions versions) {
}
