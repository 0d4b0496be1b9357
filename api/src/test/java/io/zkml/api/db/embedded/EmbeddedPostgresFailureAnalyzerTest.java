package io.zkml.api.db.embedded;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddedPostgresFailureAnalyzerTest {

    @Test
    void aNestedEmbeddedPostgresFailureIsReportedByItsOwnMessageAndAnAction() {
        var cause = new EmbeddedPostgresException("/tmp/x is not empty and is not a PostgreSQL data directory");
        var wrapped = new BeanCreationException("dataSource", "bean failed", new IllegalStateException(cause));

        FailureAnalysis analysis = new EmbeddedPostgresFailureAnalyzer().analyze(wrapped);

        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription()).contains("/tmp/x is not empty");
        assertThat(analysis.getAction()).contains("SPRING_DATASOURCE_URL");
    }

    @Test
    void otherFailuresAreLeftToSpring() {
        assertThat(new EmbeddedPostgresFailureAnalyzer().analyze(new IllegalStateException("x"))).isNull();
    }
}
