package io.zkml.api.db.embedded;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a start-up failure of the embedded PostgreSQL (a data directory that is not one, a port
 * in use, a parent directory uid 65534 cannot enter, ...) into Spring Boot's short "APPLICATION
 * FAILED TO START" report: the reason and what to do, instead of a wall of nested bean errors.
 */
class EmbeddedPostgresFailureAnalyzer extends AbstractFailureAnalyzer<EmbeddedPostgresException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, EmbeddedPostgresException cause) {
        return new FailureAnalysis(
                "The embedded PostgreSQL could not start: " + cause.getMessage(),
                "Fix the cause above, or set zkml.embedded-postgres.data-dir (ZKML_EMBEDDEDPOSTGRES_DATADIR) / "
                        + "zkml.embedded-postgres.port (ZKML_EMBEDDEDPOSTGRES_PORT), or use an external "
                        + "database with SPRING_DATASOURCE_URL.",
                cause);
    }
}
