package io.zkml.api.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;
import io.zkml.compiler.model.ImportLimits;
import io.zkml.compiler.tribuo.ModelFormatException;

/** {@code zkml.models.*}: the compiler's defaults, checked at binding; and how a refusal maps to a problem. */
class ModelImportPropertiesTest {

    private static ModelImportProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("zkml.models", ModelImportProperties.class);
    }

    @Test
    void nothingSetMeansTheCompilersDefaults() {
        assertThat(bind(Map.of()).limits()).isEqualTo(ImportLimits.defaults());
    }

    @Test
    void eachLimitCanBeSetAlone() {
        ImportLimits d = ImportLimits.defaults();
        assertThat(bind(Map.of("zkml.models.max-ensemble-members", "8")).limits())
                .isEqualTo(new ImportLimits(d.maxTreeDepth(), 8, d.maxTreeNodes()));
        assertThat(bind(Map.of("zkml.models.max-tree-depth", "3", "zkml.models.max-tree-nodes", "100")).limits())
                .isEqualTo(new ImportLimits(3, d.maxEnsembleMembers(), 100));
    }

    @Test
    void invalidLimitsStopTheStartNamingTheProperty() {
        assertThatThrownBy(() -> bind(Map.of("zkml.models.max-tree-depth", "300")))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("zkml.models.max-tree-depth")
                .hasMessageContaining("256");
        assertThatThrownBy(() -> bind(Map.of("zkml.models.max-ensemble-members", "0")))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("zkml.models.max-ensemble-members");
        assertThatThrownBy(() -> bind(Map.of("zkml.models.max-tree-nodes", "-1")))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("zkml.models.max-tree-nodes");
    }

    @Test
    void aLimitRefusalIsAModelLimitExceededProblemWithTheLimitAndBothValues() {
        ApiException e = ModelService.problem(ModelFormatException.limitExceeded(ImportLimits.MAX_TREE_NODES, 100, 250,
                "the number of internal tree nodes"), java.util.List.of());
        assertThat(e.type()).isEqualTo(ProblemType.MODEL_LIMIT_EXCEEDED);
        assertThat(e.getMessage()).contains("maxTreeNodes").contains("100").contains("250");
        assertThat(e.properties()).containsExactly(Map.entry("reason", "limit-exceeded"), Map.entry("limit", "maxTreeNodes"),
                Map.entry("limitValue", 100L), Map.entry("actualValue", 250L));
    }

    @Test
    void theRefusedModelClassIsTakenOnlyFromARefusalOfTheWholeModelsClass() {
        assertThat(ModelService.refusedModelClass("model type \"org.tribuo.clustering.kmeans.KMeansModel\" is not supported; "
                + "supported: Tribuo linear SGD classification [a, b]")).contains("org.tribuo.clustering.kmeans.KMeansModel");
        assertThat(ModelService.refusedModelClass("ensemble member type \"x.Y\" is not supported: the members ...")).isEmpty();
        assertThat(ModelService.refusedModelClass("the model contains a component of class \"x.Y\", which ...")).isEmpty();
        assertThat(ModelService.refusedModelClass("model type \"org.example.AVeryLongName...\" is not supported; supported"))
                .as("a name the reader cut short is no class name").isEmpty();
        assertThat(ModelService.refusedModelClass(null)).isEmpty();
    }

    @Test
    void anUnsupportedModelTypeListsTheImportersClassesAndTheRefusedClass() {
        ApiException e = ModelService.problem(new ModelFormatException(ModelFormatException.Reason.UNSUPPORTED_MODEL_TYPE,
                "model type \"org.example.Thing\" is not supported; supported: [...]"), java.util.List.of("a.B", "c.D"));
        assertThat(e.type()).isEqualTo(ProblemType.UNSUPPORTED_MODEL_TYPE);
        assertThat(e.properties()).containsExactly(Map.entry("reason", "unsupported-model-type"),
                Map.entry("modelClass", "org.example.Thing"), Map.entry("supportedModelClasses", java.util.List.of("a.B", "c.D")));
    }
}
