package io.zkml.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** {@link Inputs} and {@link SettingsJson}, shared by the service and the CLI. */
class InputsAndSettingsJsonTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> FEATURES = List.of("a", "b", "c");

    @Test
    void anInputByNameBecomesTheFeatureOrderArrayOrNamesEveryUnknownAndMissingFeature() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("c", 3.0);
        m.put("a", 1.0);
        m.put("b", 2.0);
        assertThat(Inputs.array(FEATURES, m)).containsExactly(1.0, 2.0, 3.0);
        m.remove("b");
        m.put("z", 0.0);
        m.put("y", 0.0);
        assertThatThrownBy(() -> Inputs.array(FEATURES, m))
                .isInstanceOfSatisfying(Inputs.FeatureNamesException.class, e -> {
                    assertThat(e.unknown()).containsExactly("z", "y");
                    assertThat(e.missing()).containsExactly("b");
                    assertThat(e.features()).isEqualTo(FEATURES);
                })
                .hasMessage("unknown features [z, y], missing features [b]; the features are [a, b, c]");
    }

    @Test
    void settingsAreReadAndCheckedFromAJsonTree() {
        QuantizationSettings s = SettingsJson.read(JSON.readTree(
                "{\"inputScale\": 8, \"weightScale\": null, \"inputRanges\": [{\"min\": 0, \"max\": 1}, {\"min\": -1, \"max\": 1},"
                        + " {\"min\": 2, \"max\": 2}], \"sampleInputs\": [[1, 2, 3]]}"), FEATURES);
        assertThat(s.inputScale()).isEqualTo(8);
        assertThat(s.weightScale()).isNull();
        assertThat(s.inputRanges()).containsExactly(new FeatureRange(0, 1), new FeatureRange(-1, 1), new FeatureRange(2, 2));
        assertThat(s.sampleInputs().getFirst()).containsExactly(1, 2, 3);
        assertThat(SettingsJson.read(null, FEATURES)).isEqualTo(QuantizationSettings.defaults());
        assertThat(SettingsJson.read(JSON.readTree("{}"), null).inputRanges()).isNull();

        assertThatThrownBy(() -> SettingsJson.read(JSON.readTree("{\"inputScal\": 3}"), null)).hasMessageContaining("unknown key \"inputScal\"");
        assertThatThrownBy(() -> SettingsJson.read(JSON.readTree("{\"inputScale\": 99}"), null)).hasMessageContaining("inputScale must be in [0, ");
        assertThatThrownBy(() -> SettingsJson.read(JSON.readTree("{\"inputScale\": 1.5}"), null)).hasMessageContaining("integer");
        assertThatThrownBy(() -> SettingsJson.read(JSON.readTree("{\"inputRanges\": [{\"min\": 0, \"max\": 1}]}"), FEATURES))
                .hasMessageContaining("the model has 3 features");
        assertThatThrownBy(() -> SettingsJson.read(JSON.readTree("{\"inputRanges\": [{\"min\": 2, \"max\": 1}]}"), null))
                .hasMessage("inputRanges[0] has min 2.0 greater than max 1.0");
        assertThatThrownBy(() -> SettingsJson.read(JSON.readTree("{\"inputRanges\": [{\"min\": 0}, {}, {}]}"), FEATURES))
                .hasMessage("inputRanges[0] (feature \"a\") needs both min and max");
        assertThatThrownBy(() -> SettingsJson.read(JSON.readTree("{\"sampleInputs\": [[1, 2]]}"), FEATURES))
                .hasMessageContaining("sampleInputs[0] has 2 values");
        assertThatThrownBy(() -> SettingsJson.read(JSON.readTree("{\"sampleInputs\": [[1, null, 3]]}"), FEATURES))
                .hasMessage("sampleInputs[0][1] must be a finite number, got null");
    }
}
