package io.zkml.api.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zkml.api.testing.TestPostgres;

/**
 * Defect 6 of issue 9: requests that Tomcat rejects before any servlet runs get problem+json, not
 * Tomcat's HTML page. Sent over a raw socket, since an HTTP client refuses to send them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ContainerErrorsTest {

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
        registry.add("zkml.role", () -> "api");
    }

    @LocalServerPort
    int port;

    private String raw(String requestHead) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(requestHead.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void assertProblem(String response) {
        String head = response.substring(0, Math.max(0, response.indexOf("\r\n\r\n"))).toLowerCase(java.util.Locale.ROOT);
        assertThat(head).as(response).startsWith("http/1.1 4");
        assertThat(head).as(response).contains("content-type: application/problem+json");
        assertThat(response).as(response).contains("\"type\":\"urn:zkml:problem:").doesNotContain("<html").doesNotContain("<!doctype");
    }

    @Test
    void aMalformedEscapeIsAProblemNotAnHtmlPage() throws IOException {
        assertProblem(raw("GET /v1/models/%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
    }

    @Test
    void anEncodedSlashIsAProblemNotAnHtmlPage() throws IOException {
        assertProblem(raw("GET /v1/models/a%2Fb HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
    }

    @Test
    void anOverLongHeaderIsAProblemNotAnHtmlPage() throws IOException {
        assertProblem(raw("GET /v1/models HTTP/1.1\r\nHost: localhost\r\nX-Long: " + "a".repeat(20_000)
                + "\r\nConnection: close\r\n\r\n"));
    }
}
