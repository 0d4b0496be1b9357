package io.zkml.api.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

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
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

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
        MvcResult r = mvc.perform(get("/test/problems/" + type.name()))
                .andExpect(status().is(type.status().value()))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("urn:zkml:problem:" + type.uri().toString().substring(ProblemType.URN_PREFIX.length())))
                .andExpect(jsonPath("$.title").value(type.title()))
                .andExpect(jsonPath("$.status").value(type.status().value()))
                .andExpect(jsonPath("$.detail").value("detail of " + type))
                .andExpect(jsonPath("$.instance").value("/test/problems/" + type.name()))
                .andExpect(jsonPath("$.reason").value("because"))
                .andReturn();
        assertNoInternals(r);
    }

    @Test
    void anUnexpectedExceptionIsA500WithAReferenceAndNoDetailsOfTheCause() throws Exception {
        MvcResult r = mvc.perform(get("/test/bug"))
                .andExpect(status().isInternalServerError())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("urn:zkml:problem:internal-error"))
                .andExpect(jsonPath("$.title").value("Internal error"))
                .andExpect(jsonPath("$.reference").isString())
                .andReturn();
        assertThat(r.getResponse().getContentAsString()).doesNotContain("secret").doesNotContain("IllegalState");
        assertNoInternals(r);
    }

    @Test
    void malformedJsonIsAnInvalidRequestThatSaysWhere() throws Exception {
        MvcResult r = mvc.perform(post("/test/json").contentType(MediaType.APPLICATION_JSON).content("{\"name\": "))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value("urn:zkml:problem:invalid-request"))
                .andExpect(jsonPath("$.title").value("Invalid request"))
                .andReturn();
        assertThat(detail(r)).startsWith("the request body is not valid JSON");
        assertNoInternals(r);
    }

    @Test
    void jsonOfTheWrongShapeNamesThePathNotTheJavaType() throws Exception {
        MvcResult r = mvc.perform(post("/test/json").contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\": \"x\", \"count\": {\"nested\": true}}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value("urn:zkml:problem:invalid-request"))
                .andReturn();
        assertThat(detail(r)).isEqualTo("the request body does not have the expected shape at $.count");
        assertNoInternals(r);
    }

    @Test
    void aMissingMultipartPartIsAnInvalidRequestNamingThePart() throws Exception {
        MvcResult r = mvc.perform(multipart("/test/upload").param("format", "tribuo"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.type").value("urn:zkml:problem:invalid-request"))
                .andReturn();
        assertThat(detail(r)).contains("'file'");
        assertNoInternals(r);
    }

    @Test
    void aWrongMethodIsMethodNotAllowed() throws Exception {
        MvcResult r = mvc.perform(delete("/test/json"))
                .andExpect(status().isMethodNotAllowed())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("urn:zkml:problem:method-not-allowed"))
                .andExpect(jsonPath("$.title").value("Method not allowed"))
                .andReturn();
        assertNoInternals(r);
    }

    @Test
    void anUnknownPathIsNotFound() throws Exception {
        MvcResult r = mvc.perform(get("/v1/no-such-thing"))
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("urn:zkml:problem:not-found"))
                .andExpect(jsonPath("$.title").value("Resource not found"))
                .andReturn();
        assertNoInternals(r);
    }

    @Test
    void aBodyOfAnotherMediaTypeIsUnsupportedMediaType() throws Exception {
        MvcResult r = mvc.perform(post("/test/json").contentType(MediaType.TEXT_PLAIN).content("hello"))
                .andExpect(status().isUnsupportedMediaType())
                .andExpect(jsonPath("$.type").value("urn:zkml:problem:unsupported-media-type"))
                .andReturn();
        assertNoInternals(r);
    }

    @Test
    void aProblemIsProblemJsonEvenWhenTheClientAcceptsOnlyText() throws Exception {
        mvc.perform(get("/test/problems/CIRCUIT_NOT_READY").accept(MediaType.TEXT_PLAIN))
                .andExpect(status().isConflict())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("urn:zkml:problem:circuit-not-ready"));
    }

    private static String detail(MvcResult r) throws Exception {
        return com.jayway.jsonpath.JsonPath.read(r.getResponse().getContentAsString(), "$.detail");
    }

    private static void assertNoInternals(MvcResult r) throws Exception {
        String body = r.getResponse().getContentAsString();
        assertThat(body).doesNotContain("Exception").doesNotContain("java.").doesNotContain("io.zkml")
                .doesNotContain("tools.jackson").doesNotContain("\"trace\"").doesNotContain("\tat ");
    }
}
