package io.zkml.api.chain;

/** The chain's node could not be reached (down, refused, timed out): a transient condition. */
public class ChainUnavailableException extends RuntimeException {
    public ChainUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
