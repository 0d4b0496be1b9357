package io.zkml.api.jobs;

/**
 * A job that cannot succeed, whatever the number of attempts (bad settings, a compile error, an
 * incompatible artifact...). The message is shown to the user as the subject's {@code error}.
 * Any other exception from a handler counts as transient and the job is retried while attempts
 * remain.
 */
public class JobFailedException extends Exception {

    private static final long serialVersionUID = 1L;

    public JobFailedException(String message) {
        super(message);
    }

    public JobFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
