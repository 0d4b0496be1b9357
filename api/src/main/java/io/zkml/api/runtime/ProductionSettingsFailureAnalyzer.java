package io.zkml.api.runtime;

import java.util.stream.Collectors;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** The start-up report for {@link ProductionSettingsException}: one line per setting, then what to do. */
class ProductionSettingsFailureAnalyzer extends AbstractFailureAnalyzer<ProductionSettingsException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ProductionSettingsException cause) {
        String list = cause.problems().stream().map(p -> "  - " + p).collect(Collectors.joining("\n"));
        return new FailureAnalysis(
                "The service is in production mode (zkml.mode=production) and refuses to start:\n" + list,
                "Set what is missing (docs/operations.md, \"Production settings\"), or start in development mode "
                        + "(zkml.mode=development, what `make run` does) for a local trial.",
                cause);
    }
}
