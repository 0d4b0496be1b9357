package io.zkml.api.inferences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.json.JsonMapper;

import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;

/** An inference input by name: read (duplicate keys noted), then turned into the array in feature order. */
class InputByNameTest {

    private static final List<String> FEATURES = List.of("age", "debt_ratio", "income_k");
    private static final JsonMapper MAPPER = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private static InferenceBody read(String json) {
        return MAPPER.readValue(json, InferenceBody.class);
    }

    private static double[] numbers(String json) {
        InferenceBody body = read(json);
        return InferenceService.numbers(body.root().get("input"), body.duplicateInputKeys(), FEATURES);
    }

    @Test
    void anObjectBecomesTheArrayInFeatureOrderWhateverTheOrderOfItsKeys() {
        assertThat(numbers("{\"input\": {\"income_k\": 85, \"age\": 12.5, \"debt_ratio\": 0.35}}"))
                .containsExactly(12.5, 0.35, 85.0);
        assertThat(numbers("{\"input\": [12.5, 0.35, 85]}")).containsExactly(12.5, 0.35, 85.0);
    }

    @Test
    void theReaderNotesDuplicatedKeysOfTheInputObjectOnly() {
        assertThat(read("{\"input\": {\"age\": 1, \"age\": 2, \"x\": {\"y\": 1, \"y\": 2}}}").duplicateInputKeys())
                .containsExactly("age");
        assertThat(read("{\"input\": [1, 2], \"other\": {\"a\": 1, \"a\": 2}}").duplicateInputKeys()).isEmpty();
        assertThat(read("{\"input\": {\"age\": 1, \"age\": 2}, \"input\": [1, 2, 3]}").duplicateInputKeys()).isEmpty();
        assertThat(read("[1, 2]").root().isArray()).isTrue();
        assertThat(read("null").root().isNull()).isTrue();
        assertThat(read("{\"input\": {\"age\": NaN}, \"n\": null}").root().get("input").get("age").isNumber()).isTrue();
    }

    @Test
    void aDuplicatedNameIsAnInvalidRequestNamingIt() {
        ApiException e = catchThrowableOfType(ApiException.class, () -> numbers(
                "{\"input\": {\"age\": 12.5, \"age\": 13, \"debt_ratio\": 0.35, \"income_k\": 85, \"income_k\": 1}}"));
        assertThat(e.type()).isEqualTo(ProblemType.INVALID_REQUEST);
        assertThat(e.getMessage()).contains("[\"age\", \"income_k\"]").contains("more than once");
    }

    @Test
    void unknownAndMissingNamesAreAllNamed() {
        ApiException unknown = catchThrowableOfType(ApiException.class, () -> numbers(
                "{\"input\": {\"age\": 12.5, \"debt_ratio\": 0.35, \"income_k\": 85, \"Age\": 1, \"zip\": 2}}"));
        assertThat(unknown.type()).isEqualTo(ProblemType.INVALID_INPUT);
        assertThat(unknown.properties()).containsEntry("reason", "unknown-features")
                .containsEntry("unknownFeatures", List.of("Age", "zip")).containsEntry("missingFeatures", List.of())
                .containsEntry("features", FEATURES);
        assertThat(unknown.getMessage()).contains("\"Age\", \"zip\"");

        ApiException missing = catchThrowableOfType(ApiException.class, () -> numbers("{\"input\": {\"debt_ratio\": 0.35}}"));
        assertThat(missing.properties()).containsEntry("reason", "missing-features")
                .containsEntry("missingFeatures", List.of("age", "income_k")).containsEntry("unknownFeatures", List.of());
        assertThat(missing.getMessage()).contains("lacks the features [\"age\", \"income_k\"]");

        ApiException both = catchThrowableOfType(ApiException.class, () -> numbers("{\"input\": {\"agee\": 1, \"debt_ratio\": 0.35, \"income_k\": 85}}"));
        assertThat(both.properties()).containsEntry("reason", "unknown-features")
                .containsEntry("unknownFeatures", List.of("agee")).containsEntry("missingFeatures", List.of("age"));

        assertThat(catchThrowableOfType(ApiException.class, () -> numbers("{\"input\": {}}")).properties())
                .containsEntry("missingFeatures", FEATURES);
    }

    @Test
    void valuesByNameAreCheckedLikeValuesInAnArray() {
        // Non-finite values pass this step as non-finite doubles; the circuit's range check rejects them (not-finite).
        for (String nonFinite : List.of("NaN", "\"NaN\"", "Infinity", "\"-Infinity\"", "1e999")) {
            double[] v = numbers("{\"input\": {\"age\": " + nonFinite + ", \"debt_ratio\": 0.35, \"income_k\": 85}}");
            assertThat(Double.isFinite(v[0])).as(nonFinite).isFalse();
        }
        for (String notANumber : List.of("null", "\"12.5\"", "true", "[1]", "{}")) {
            ApiException e = catchThrowableOfType(ApiException.class,
                    () -> numbers("{\"input\": {\"debt_ratio\": 0.35, \"age\": " + notANumber + ", \"income_k\": 85}}"));
            assertThat(e.type()).as(notANumber).isEqualTo(ProblemType.INVALID_INPUT);
            assertThat(e.properties()).containsEntry("reason", "not-a-number");
            assertThat(e.getMessage()).contains("input 0 (feature \"age\")");
        }
    }

    @Test
    void anInputThatIsNeitherArrayNorObjectIsAnInvalidRequest() {
        assertThatThrownBy(() -> numbers("{\"input\": \"12.5\"}")).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).type()).isEqualTo(ProblemType.INVALID_REQUEST));
        assertThatThrownBy(() -> numbers("{}")).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).type()).isEqualTo(ProblemType.INVALID_REQUEST));
    }
}
