package io.zkml.api.runtime;

/**
 * {@code zkml.mode}: how much the service may assume about where it runs.
 *
 * <ul>
 *   <li>{@link #DEVELOPMENT} (the default of the jar, what {@code make run} starts): an embedded
 *       PostgreSQL when no database URL is set, anonymous writes unless {@code zkml.auth.required},
 *       a development admin key printed at start.</li>
 *   <li>{@link #PRODUCTION} (the default of the container image): refuses to start without a
 *       configured database and the other production settings ({@link ProductionSettings}); the
 *       embedded PostgreSQL is never started, every write needs an API key.</li>
 * </ul>
 */
public enum ServiceMode {
    DEVELOPMENT,
    PRODUCTION
}
