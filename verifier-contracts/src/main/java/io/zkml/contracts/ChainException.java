package io.zkml.contracts;

/**
 * A JSON-RPC call to the chain failed for a reason other than a verdict: the node is unreachable,
 * a deployment reverted, a transaction was not mined.
 */
public class ChainException extends RuntimeException {

    public ChainException(String message) {
        super(message);
    }

    public ChainException(String message, Throwable cause) {
        super(message, cause);
    }
}
