package io.zkml.api.artifacts;

/** A stored artifact in a native format made by another gnark or ABI version than this process runs. */
public class IncompatibleArtifactException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public IncompatibleArtifactException(String message) {
        super(message);
    }
}
