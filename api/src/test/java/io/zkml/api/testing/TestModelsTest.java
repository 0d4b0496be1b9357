package io.zkml.api.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.QuantizationSettings;
import io.zkml.compiler.tribuo.ImportedModel;
import io.zkml.compiler.tribuo.TribuoModelReader;

/** The fallback model the service tests use when examples/ is absent is itself a valid upload. */
class TestModelsTest {

    @Test
    void theTrainedFallbackModelIsASupportedModelWithTheExamplesShape() throws Exception {
        TestModels.Example e = TestModels.trainedCreditRisk();
        ImportedModel m = TribuoModelReader.read(e.model());
        assertThat(m.features()).containsExactly("credit_history_years", "debt_ratio", "income_k", "late_payments", "loan_amount_k");
        assertThat(m.outputs()).containsExactlyInAnyOrder("high", "low", "medium");
        var ranges = new java.util.ArrayList<io.zkml.compiler.FeatureRange>();
        e.quantization().get("inputRanges").forEach(r -> ranges.add(
                new io.zkml.compiler.FeatureRange(r.get("min").asDouble(), r.get("max").asDouble())));
        var compiled = CircuitCompiler.compile(m, e.name(), null, QuantizationSettings.defaults().withInputRanges(ranges));
        assertThat(compiled.quantizeInput(e.input().stream().mapToDouble(Double::doubleValue).toArray())).hasSize(5);
    }
}
