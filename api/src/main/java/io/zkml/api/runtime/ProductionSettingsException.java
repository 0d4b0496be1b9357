package io.zkml.api.runtime;

import java.util.List;

/**
 * Production mode found settings missing or unsafe; {@link ProductionSettingsFailureAnalyzer} turns it
 * into Spring Boot's short start-up failure report, one line per problem.
 */
public class ProductionSettingsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ProductionSettingsException(List<String> problems) {
        super("production mode (zkml.mode=production) refuses to start: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One sentence per missing or unsafe setting. */
    public List<String> problems() {
        return problems;
    }
}
