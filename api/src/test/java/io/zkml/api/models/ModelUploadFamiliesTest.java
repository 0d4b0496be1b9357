package io.zkml.api.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zkml.api.testing.Http;
import io.zkml.api.testing.Http.Response;
import io.zkml.api.testing.TestModels;
import io.zkml.compiler.model.ImportLimits;
import io.zkml.compiler.model.ImportedModel;
import io.zkml.compiler.model.ModelImporter;
import io.zkml.compiler.model.ModelImporters;

/**
 * Uploads of every model family over real HTTP (embedded PostgreSQL, real migrations, the
 * compiler's importers), with small import limits so that going over them is cheap. Nothing is
 * compiled here: the compiler cannot lower tree models yet.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelUploadFamiliesTest {

    static final int MAX_MEMBERS = 8;
    static final int MAX_DEPTH = 6;

    static final String TREE = "org.tribuo.common.tree.TreeModel";
    static final String ENSEMBLE = "org.tribuo.ensemble.WeightedEnsembleModel";
    static final String KMEANS = "org.tribuo.clustering.kmeans.KMeansModel";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        io.zkml.api.testing.TestPostgres.registerDatabase(registry);
        registry.add("zkml.worker.enabled", () -> "false");
        registry.add("zkml.models.max-ensemble-members", () -> MAX_MEMBERS);
        registry.add("zkml.models.max-tree-depth", () -> MAX_DEPTH);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Http http;
    /** The compiler's own view of an upload, to compare the API's answers with. */
    ModelImporter tribuo = ModelImporters.standard().forFormat("tribuo").orElseThrow();

    @BeforeAll
    void client() {
        http = new Http(port);
    }

    @Test
    void aCartClassifierIsASingleTreeWithItsDepthFeaturesAndLabels() throws Exception {
        byte[] bytes = TestModels.cartClassifier(5);
        ImportedModel expected = tribuo.read(bytes, ImportLimits.defaults());
        assertThat(expected.maxDepth()).isBetween(1, 5);

        Response upload = upload(bytes, "cart");
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        for (JsonNode m : List.of(upload.json(), http.get(upload.location()).json())) {
            assertThat(m.get("family").asString()).isEqualTo("tree");
            assertThat(m.get("memberCount").asInt()).isEqualTo(1);
            assertThat(m.get("maxDepth").asInt()).isEqualTo(expected.maxDepth());
            assertThat(m.get("modelClass").asString()).isEqualTo(TREE);
            assertThat(m.get("task").asString()).isEqualTo("classification");
            assertThat(m.get("format").asString()).isEqualTo("tribuo");
            assertThat(strings(m.get("features"))).containsExactlyElementsOf(TestModels.TREE_FEATURES);
            assertThat(strings(m.get("outputs"))).containsExactlyInAnyOrderElementsOf(TestModels.TREE_LABELS)
                    .containsExactlyElementsOf(expected.outputs());
        }
        assertThat(column("family", upload.text("id"))).isEqualTo("tree");
    }

    @Test
    void aRandomForestWithVotingIsAnEnsembleOfItsMembers() throws Exception {
        byte[] bytes = TestModels.randomForestClassifier(5);
        ImportedModel expected = tribuo.read(bytes, ImportLimits.defaults());

        Response upload = upload(bytes, "forest");
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        for (JsonNode m : List.of(upload.json(), http.get(upload.location()).json())) {
            assertThat(m.get("family").asString()).isEqualTo("ensemble");
            assertThat(m.get("memberCount").asInt()).isEqualTo(5);
            assertThat(m.get("maxDepth").asInt()).isEqualTo(expected.maxDepth()).isBetween(1, 4);
            assertThat(m.get("modelClass").asString()).isEqualTo(ENSEMBLE);
            assertThat(m.get("task").asString()).isEqualTo("classification");
            assertThat(strings(m.get("features"))).containsExactlyElementsOf(TestModels.TREE_FEATURES);
            assertThat(strings(m.get("outputs"))).containsExactlyInAnyOrderElementsOf(TestModels.TREE_LABELS);
        }
    }

    @Test
    void aRegressionForestWithAveragingIsARegressionEnsemble() throws Exception {
        byte[] bytes = TestModels.randomForestRegressor(4);
        ImportedModel expected = tribuo.read(bytes, ImportLimits.defaults());

        Response upload = upload(bytes, "prices");
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        for (JsonNode m : List.of(upload.json(), http.get(upload.location()).json())) {
            assertThat(m.get("family").asString()).isEqualTo("ensemble");
            assertThat(m.get("memberCount").asInt()).isEqualTo(4);
            assertThat(m.get("maxDepth").asInt()).isEqualTo(expected.maxDepth()).isBetween(1, 3);
            assertThat(m.get("modelClass").asString()).isEqualTo(ENSEMBLE);
            assertThat(m.get("task").asString()).isEqualTo("regression");
            assertThat(strings(m.get("features"))).containsExactlyElementsOf(TestModels.TREE_FEATURES);
            assertThat(strings(m.get("outputs"))).containsExactly(TestModels.TREE_REGRESSION_OUTPUT);
        }
    }

    @Test
    void aLinearModelIsLinearWithOneMemberAndDepthZero() {
        Response upload = upload(TestModels.trainedCreditRisk().model(), "credit");
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        for (JsonNode m : List.of(upload.json(), http.get(upload.location()).json())) {
            assertThat(m.get("family").asString()).isEqualTo("linear");
            assertThat(m.get("memberCount").asInt()).isEqualTo(1);
            assertThat(m.get("maxDepth").asInt()).isZero();
        }
    }

    @Test
    void aForestWithMoreMembersThanConfiguredIsRefusedNamingTheLimitAndNothingIsStored() {
        int before = count();
        JsonNode p = expectProblem(upload(TestModels.randomForestClassifier(MAX_MEMBERS + 1), "too many"),
                422, "model-limit-exceeded", "Model exceeds a limit");
        assertThat(p.get("limit").asString()).isEqualTo("maxEnsembleMembers");
        assertThat(p.get("limitValue").asLong()).isEqualTo(MAX_MEMBERS);
        assertThat(p.get("actualValue").asLong()).isEqualTo(MAX_MEMBERS + 1);
        assertThat(p.get("reason").asString()).isEqualTo("limit-exceeded");
        assertThat(p.get("detail").asString()).contains("maxEnsembleMembers").contains(String.valueOf(MAX_MEMBERS));
        assertThat(count()).isEqualTo(before);
    }

    @Test
    void aTreeDeeperThanConfiguredIsRefusedNamingTheLimitAndNothingIsStored() throws Exception {
        byte[] deep = TestModels.cartClassifier(12);
        int depth = tribuo.read(deep, ImportLimits.defaults()).maxDepth();
        assertThat(depth).as("the seeded data grows a tree deeper than the test's limit").isGreaterThan(MAX_DEPTH);
        int before = count();
        JsonNode p = expectProblem(upload(deep, "deep"), 422, "model-limit-exceeded", "Model exceeds a limit");
        assertThat(p.get("limit").asString()).isEqualTo("maxTreeDepth");
        assertThat(p.get("limitValue").asLong()).isEqualTo(MAX_DEPTH);
        assertThat(p.get("actualValue").asLong()).isGreaterThan(MAX_DEPTH);
        assertThat(p.get("detail").asString()).contains("maxTreeDepth");
        assertThat(count()).isEqualTo(before);
    }

    @Test
    void aKMeansModelIsAnUnsupportedModelTypeNamingItsClassAndWhatIsSupported() {
        int before = count();
        JsonNode p = expectProblem(upload(TestModels.kMeans(), "clusters"), 422, "unsupported-model-type",
                "Unsupported model type");
        assertThat(p.get("reason").asString()).isEqualTo("unsupported-model-type");
        assertThat(p.get("modelClass").asString()).isEqualTo(KMEANS);
        assertThat(strings(p.get("supportedModelClasses"))).containsExactlyElementsOf(tribuo.supportedModelClasses())
                .contains(TREE, ENSEMBLE, "org.tribuo.regression.rtree.IndependentRegressionTreeModel",
                        "org.tribuo.classification.sgd.linear.LinearSGDModel");
        assertThat(count()).isEqualTo(before);
    }

    @Test
    void anUnknownFormatListsTheImportersFormats() {
        JsonNode p = expectProblem(http.postMultipart("/v1/models",
                        Http.parts("file", TestModels.cartClassifier(3), "format", "pmml")),
                422, "unsupported-model-format", "Unsupported model format");
        assertThat(strings(p.get("supportedFormats"))).containsExactlyElementsOf(ModelImporters.standard().formats());
    }

    private Response upload(byte[] bytes, String name) {
        return http.postMultipart("/v1/models", Http.parts("file", bytes, "format", "tribuo", "name", name));
    }

    /** What every problem response must be (as in ProblemAdviceTest), over real HTTP. */
    private static JsonNode expectProblem(Response r, int status, String slug, String title) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).as(r.toString()).startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p.get("type").asString()).isEqualTo("urn:zkml:problem:" + slug);
        assertThat(p.get("title").asString()).isEqualTo(title);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("detail").asString()).isNotBlank();
        assertThat(p.get("instance").asString()).isEqualTo("/v1/models");
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("io.zkml.").doesNotContain("java.")
                .doesNotContain("\tat ").doesNotContain("\"trace\"");
        return p;
    }

    private int count() {
        return jdbc.sql("SELECT count(*) FROM models").query(Integer.class).single();
    }

    private String column(String name, String id) {
        return jdbc.sql("SELECT " + name + " FROM models WHERE id = ?::uuid").param(id).query(String.class).single();
    }

    private static List<String> strings(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asString()));
        return l;
    }
}
