package io.zkml.api.runtime;

/**
 * {@code zkml.role}: what this process of the one jar does.
 *
 * <ul>
 *   <li>{@link #ALL} (default): the HTTP API and the job workers.</li>
 *   <li>{@link #API}: the HTTP API only; jobs are left to worker processes on the same PostgreSQL.</li>
 *   <li>{@link #WORKER}: the job workers only; its HTTP port answers health and metrics
 *       ({@code /actuator/...}) and nothing of {@code /v1}.</li>
 * </ul>
 */
public enum ServiceRole {
    ALL,
    API,
    WORKER;

    /** Whether this role serves the REST API. */
    public boolean servesApi() {
        return this != WORKER;
    }

    /** Whether this role runs job workers. */
    public boolean runsWorkers() {
        return this != API;
    }
}
