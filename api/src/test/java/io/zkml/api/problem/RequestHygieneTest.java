package io.zkml.api.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zkml.api.testing.Http;
import io.zkml.api.testing.TestPostgres;

/**
 * Defects 3, 4, 5 and 9 of issue 9, over HTTP: a JSON body over the limit is a 413 with or without
 * a length, before anything is stored; a write whose {@code Accept} admits no JSON is a 406 before
 * anything is stored; a model name with a NUL or another control character is a 400 naming the
 * field (it was a 500), and the name's length is counted in characters, not UTF-16 units; a 408 has
 * its own type.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestHygieneTest {

    private static final Path DEMO = Path.of("..", "examples", "credit-risk").toAbsolutePath().normalize();

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
        registry.add("zkml.role", () -> "api"); // nothing here needs a worker
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    Http http;
    byte[] model;

    @BeforeAll
    void setUp() throws Exception {
        http = new Http(port);
        model = Files.readAllBytes(DEMO.resolve("model.tribuo"));
    }

    private long count(String table) {
        return jdbc.sql("SELECT count(*) FROM " + table).query(Long.class).single();
    }

    private Http.Response upload(String name, Map<String, String> headers) {
        return http.postMultipartWithHeaders("/v1/models", Http.parts("file", model, "format", "tribuo", "name", name), headers);
    }

    @Test
    void aWriteThatAcceptsNoJsonIs406AndStoresNothing() {
        long models = count("models");
        Http.Response r = upload("png-please", Map.of("Accept", "image/png"));
        assertThat(r.status()).as(r.toString()).isEqualTo(406);
        assertThat(count("models")).isEqualTo(models);

        Http.Response ok = upload("json-please", Map.of("Accept", "image/png, application/json;q=0.5"));
        assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
        String modelId = ok.text("id");
        assertThat(upload("problem-please", Map.of("Accept", "application/problem+json")).status()).isEqualTo(201);
        assertThat(upload("anything", Map.of("Accept", "*/*")).status()).isEqualTo(201);

        long circuits = count("circuits");
        Http.Response c = http.request("POST", "/v1/models/" + modelId + "/circuits", Map.of("Accept", "text/html"),
                "{\"quantization\":" + readQuantization() + "}");
        assertThat(c.status()).as(c.toString()).isEqualTo(406);
        assertThat(count("circuits")).isEqualTo(circuits);
        long jobs = count("jobs");
        assertThat(jobs).isZero();
    }

    private static String readQuantization() {
        try {
            return Files.readString(DEMO.resolve("quantization.json"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aNameWithANulOrAControlCharacterIs400NamingTheField() {
        long models = count("models");
        for (String bad : new String[] {"nul\u0000byte", "bell\u0007", "esc\u001b[2J", "del\u007f", "c1\u0085"}) {
            Http.Response r = upload(bad, Map.of());
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().get("type").asString()).isEqualTo("urn:zkml:problem:invalid-request");
            assertThat(r.json().get("field").asString()).isEqualTo("name");
        }
        assertThat(count("models")).isEqualTo(models);
    }

    @Test
    void aJsonBodyOverTheLimitIs413WithOrWithoutALengthAndStoresNothing() throws Exception {
        Http.Response up = upload("for-big-bodies", Map.of());
        assertThat(up.status()).as(up.toString()).isEqualTo(201);
        String path = "/v1/models/" + up.text("id") + "/circuits";
        // 3 MB of sample inputs, over the 2MB default
        StringBuilder big = new StringBuilder("{\"quantization\":" + readQuantization() + ",\"sampleInputs\":[");
        while (big.length() < 3_000_000) {
            big.append("[1.5,2.5,3.5,4.5,5.5],");
        }
        big.setLength(big.length() - 1);
        big.append("]}");
        long circuits = count("circuits");
        Http.Response withLength = http.request("POST", path, Map.of(), big.toString());
        assertThat(withLength.status()).as(withLength.toString()).isEqualTo(413);
        assertThat(withLength.json().get("type").asString()).isEqualTo("urn:zkml:problem:request-too-large");
        assertThat(withLength.json().get("maxBytes").asLong()).isEqualTo(2L * 1024 * 1024);

        var client = java.net.http.HttpClient.newHttpClient();
        byte[] bytes = big.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var chunked = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes)))
                .build();
        var r = client.send(chunked, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
        assertThat(r.body()).contains("urn:zkml:problem:request-too-large");
        assertThat(count("circuits")).isEqualTo(circuits);
    }

    @Test
    void aStalledBodysTimeoutHasItsOwnTypeNotTheOneOf400() {
        assertThat(Problems.forStatus(org.springframework.http.HttpStatus.REQUEST_TIMEOUT)).isEqualTo(ProblemType.REQUEST_TIMEOUT);
        assertThat(ProblemType.REQUEST_TIMEOUT.status().value()).isEqualTo(408);
    }

    @Test
    void aNamesLengthIsCountedInCharacters() {
        String emoji = "\uD83D\uDE00"; // one character, two UTF-16 units
        Http.Response ok = upload(emoji.repeat(200), Map.of());
        assertThat(ok.status()).as(ok.toString()).isEqualTo(201);
        assertThat(ok.text("name")).isEqualTo(emoji.repeat(200));
        Http.Response tooLong = upload(emoji.repeat(201), Map.of());
        assertThat(tooLong.status()).as(tooLong.toString()).isEqualTo(400);
        assertThat(tooLong.json().get("detail").asString()).contains("201 characters");
    }
}
