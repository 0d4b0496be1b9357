package io.zkml.api.jobs;

/** The worker no longer holds the job's lease: another worker owns the job now. */
public class LeaseLostException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LeaseLostException(String message) {
        super(message);
    }
}
