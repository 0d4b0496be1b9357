package io.zkml.api.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.ResultMatcher;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

import io.zkml.api.models.ModelService;
import io.zkml.compiler.model.ImportLimits;
import io.zkml.compiler.tribuo.ModelFormatException;

/**
 * The web layer's error contract, in a {@code @WebMvcTest} slice: every {@link ProblemType} and
 * every error Spring MVC raises itself comes out as {@code application/problem+json} with a stable
 * type and title, and never with a class name or a stack trace.
 */
@WebMvcTest(controllers = ProblemErrorController.class)
@Import(ProblemAdviceTest.ErrorsController.class)
class ProblemAdviceTest {

    @Autowired
    MockMvc mvc;

    /** Endpoints that fail in every way the real controllers can. */
    @RestController
    static class ErrorsController {
        record Body(String name, int count) {
        }

        @GetMapping("/test/problems/{type}")
        void raise(@PathVariable("type") String type) {
            ProblemType t = ProblemType.valueOf(type);
            throw new ApiException(t, "detail of " + t, Map.of("reason", "because"));
        }

        @GetMapping("/test/model-limit")
        void modelLimit() {
            throw ModelService.problem(ModelFormatException.limitExceeded(ImportLimits.MAX_ENSEMBLE_MEMBERS, 8, 9,
                    "the number of ensemble members"), List.of("org.tribuo.common.tree.TreeModel"));
        }

        @GetMapping("/test/model-type")
        void modelType() {
            throw ModelService.problem(new ModelFormatException(ModelFormatException.Reason.UNSUPPORTED_MODEL_TYPE,
                    "model type \"org.tribuo.clustering.kmeans.KMeansModel\" is not supported; supported: [...]"),
                    List.of("org.tribuo.common.tree.TreeModel", "org.tribuo.ensemble.WeightedEnsembleModel"));
        }

        @GetMapping("/test/bug")
        void bug() {
            throw new IllegalStateException("secret internals of io.zkml.api.Something");
        }

        @PostMapping(path = "/test/json", consumes = MediaType.APPLICATION_JSON_VALUE)
        Body json(@RequestBody Body body) {
            return body;
        }

        @PostMapping(path = "/test/upload", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
        String upload(@RequestPart("file") MultipartFile file) {
            return file.getOriginalFilename();
        }
    }

    @ParameterizedTest
    @EnumSource(ProblemType.class)
    void everyProblemTypeHasItsStatusTypeUriAndTitle(ProblemType type) throws Exception {
        mvc.perform(get("/test/problems/" + type.name()))
                .andExpectAll(problem(type.status().value(), type.uri().toString().substring(ProblemType.URN_PREFIX.length()),
                        type.title()))
                .andExpect(jsonPath("$.detail").value("detail of " + type))
                .andExpect(jsonPath("$.instance").value("/test/problems/" + type.name()))
                .andExpect(jsonPath("$.reason").value("because"));
    }

    @Test
    void anUnexpectedExceptionIsA500WithAReferenceAndNoDetailsOfTheCause() throws Exception {
        MvcResult r = mvc.perform(get("/test/bug"))
                .andExpectAll(problem(500, "internal-error", "Internal error"))
                .andExpect(jsonPath("$.reference").isString())
                .andReturn();
        assertThat(r.getResponse().getContentAsString()).doesNotContain("secret").doesNotContain("IllegalState");
    }

    @Test
    void aModelOverALimitNamesTheLimitAndBothValues() throws Exception {
        MvcResult r = mvc.perform(get("/test/model-limit"))
                .andExpectAll(problem(422, "model-limit-exceeded", "Model exceeds a limit"))
                .andExpect(jsonPath("$.limit").value("maxEnsembleMembers"))
                .andExpect(jsonPath("$.limitValue").value(8))
                .andExpect(jsonPath("$.actualValue").value(9))
                .andExpect(jsonPath("$.reason").value("limit-exceeded"))
                .andReturn();
        assertThat(detail(r)).isEqualTo("the number of ensemble members is 9, over the limit maxEnsembleMembers = 8");
    }

    @Test
    void anUnsupportedModelTypeNamesTheRefusedClassAndTheSupportedOnes() throws Exception {
        mvc.perform(get("/test/model-type"))
                .andExpectAll(problem(422, "unsupported-model-type", "Unsupported model type"))
                .andExpect(jsonPath("$.modelClass").value("org.tribuo.clustering.kmeans.KMeansModel"))
                .andExpect(jsonPath("$.supportedModelClasses[0]").value("org.tribuo.common.tree.TreeModel"))
                .andExpect(jsonPath("$.supportedModelClasses[1]").value("org.tribuo.ensemble.WeightedEnsembleModel"))
                .andExpect(jsonPath("$.reason").value("unsupported-model-type"));
    }

    @Test
    void malformedJsonIsAnInvalidRequestThatSaysWhere() throws Exception {
        MvcResult r = mvc.perform(post("/test/json").contentType(MediaType.APPLICATION_JSON).content("{\"name\": "))
                .andExpectAll(problem(400, "invalid-request", "Invalid request"))
                .andReturn();
        assertThat(detail(r)).startsWith("the request body is not valid JSON");
    }

    @Test
    void jsonOfTheWrongShapeNamesThePathNotTheJavaType() throws Exception {
        MvcResult r = mvc.perform(post("/test/json").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\": \"x\", \"count\": {\"nested\": true}}"))
                .andExpectAll(problem(400, "invalid-request", "Invalid request"))
                .andReturn();
        assertThat(detail(r)).isEqualTo("the request body does not have the expected shape at $.count");
    }

    @Test
    void aMissingMultipartPartIsAnInvalidRequestNamingThePart() throws Exception {
        MvcResult r = mvc.perform(multipart("/test/upload").param("format", "tribuo"))
                .andExpectAll(problem(400, "invalid-request", "Invalid request"))
                .andReturn();
        assertThat(detail(r)).contains("'file'");
    }

    @Test
    void aWrongMethodIsMethodNotAllowed() throws Exception {
        mvc.perform(delete("/test/json"))
                .andExpectAll(problem(405, "method-not-allowed", "Method not allowed"));
    }

    @Test
    void anUnknownPathIsNotFound() throws Exception {
        mvc.perform(get("/v1/no-such-thing"))
                .andExpectAll(problem(404, "not-found", "Resource not found"));
    }

    @Test
    void aBodyOfAnotherMediaTypeIsUnsupportedMediaType() throws Exception {
        mvc.perform(post("/test/json").contentType(MediaType.TEXT_PLAIN).content("hello"))
                .andExpectAll(problem(415, "unsupported-media-type", "Unsupported media type"));
    }

    @Test
    void aProblemIsProblemJsonEvenWhenTheClientAcceptsOnlyText() throws Exception {
        mvc.perform(get("/test/problems/CIRCUIT_NOT_READY").accept(MediaType.TEXT_PLAIN))
                .andExpectAll(problem(409, "circuit-not-ready", "Circuit not ready"));
    }

    /**
     * What every problem response must be: this status, {@code application/problem+json}, the type
     * {@code urn:zkml:problem:<slug>} with its fixed title, a detail, and no class names or stack traces.
     */
    private static ResultMatcher[] problem(int status, String slug, String title) {
        return new ResultMatcher[] {
                status().is(status),
                content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON),
                jsonPath("$.type").value("urn:zkml:problem:" + slug),
                jsonPath("$.title").value(title),
                jsonPath("$.status").value(status),
                jsonPath("$.detail").isNotEmpty(),
                r -> assertThat(r.getResponse().getContentAsString()).doesNotContain("Exception").doesNotContain("java.")
                        .doesNotContain("io.zkml").doesNotContain("tools.jackson").doesNotContain("\"trace\"")
                        .doesNotContain("\tat ")
        };
    }

    private static String detail(MvcResult r) throws Exception {
        return com.jayway.jsonpath.JsonPath.read(r.getResponse().getContentAsString(), "$.detail");
    }
}
