package io.zkml.api.verifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zkml.api.testing.Http;
import io.zkml.api.testing.Http.Response;
import io.zkml.api.testing.TestModels;
import io.zkml.api.testing.TestPostgres;

/**
 * The verifier page ({@code GET /verify}) in headless Chromium: the credit-risk demo is uploaded,
 * compiled and proven; the page loads the circuit and the proof from the service and snarkjs (in
 * the page) says valid, green; a tampered proof or a changed output is red. The page saved to a file
 * verifies with the circuit bundle from a file and no service. Also the two documents it loads.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver} ({@code /usr/bin/chromium},
 * {@code /usr/bin/chromedriver}, or {@code -Dzkml.chromium} / {@code -Dzkml.chromedriver}); the
 * browser part is skipped (assumption) without them. Selenium Manager is never used: both paths are
 * given to Selenium, which then downloads nothing. {@code .ci/run} installs both.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VerifierPageBrowserTest {

    private static final Duration DEADLINE = Duration.ofSeconds(180);
    private static final Path CHROMIUM = Path.of(System.getProperty("zkml.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("zkml.chromedriver", "/usr/bin/chromedriver"));

    @DynamicPropertySource
    static void embeddedPostgres(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
    }

    @LocalServerPort
    int port;

    Http http;
    String circuitId;
    JsonNode circuit;
    JsonNode inference;
    WebDriver browser;

    @BeforeAll
    void uploadCompileAndProve() {
        http = new Http(port);
        TestModels.Example credit = TestModels.creditRisk();
        Response upload = http.postMultipart("/v1/models",
                Http.parts("file", credit.model(), "format", "tribuo", "name", credit.name()));
        assertThat(upload.status()).as(upload.toString()).isEqualTo(201);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("provingSystem", "groth16");
        body.put("quantization", credit.quantization());
        Response created = http.postJson("/v1/models/" + upload.text("id") + "/circuits", body);
        assertThat(created.status()).as(created.toString()).isEqualTo(202);
        circuitId = created.text("id");
        circuit = http.awaitStatus("/v1/circuits/" + circuitId, Set.of("ready", "failed"), DEADLINE);
        assertThat(circuit.get("status").asString()).as(circuit.toString()).isEqualTo("ready");
        Response r = http.postJson("/v1/circuits/" + circuitId + "/inferences", Map.of("input", credit.input()));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        inference = http.awaitStatus("/v1/inferences/" + r.text("id"), Set.of("succeeded", "failed"), DEADLINE);
        assertThat(inference.get("status").asString()).as(inference.toString()).isEqualTo("succeeded");
    }

    @AfterAll
    void quit() {
        if (browser != null) {
            browser.quit();
        }
    }

    // ---- the documents ----------------------------------------------------------------------

    @Test
    void theVerificationKeyIsSnarkjsFormatAndTheBundleDescribesTheCircuit() {
        Response vk = http.get("/v1/circuits/" + circuitId + "/verification_key.json");
        assertThat(vk.status()).as(vk.toString()).isEqualTo(200);
        assertThat(vk.contentType()).startsWith("application/json");
        JsonNode k = vk.json();
        assertThat(k.get("protocol").asString()).isEqualTo("groth16");
        assertThat(k.get("curve").asString()).isEqualTo("bn128");
        assertThat(k.get("nPublic").asInt()).isEqualTo(circuit.get("publicInputs").asInt());
        assertThat(k.get("IC").size()).isEqualTo(circuit.get("publicInputs").asInt() + 1);
        assertThat(k.get("vk_beta_2").get(2).toString()).isEqualTo("[\"1\",\"0\"]");

        JsonNode b = http.get("/v1/circuits/" + circuitId + "/verification-bundle.json").json();
        assertThat(b.get("format").asString()).isEqualTo("zkml-verification-bundle");
        assertThat(b.get("circuitId").asString()).isEqualTo(circuitId);
        assertThat(b.get("circuitHash").asString()).isEqualTo(circuit.get("circuitHash").asString());
        assertThat(b.get("task").asString()).isEqualTo("classification");
        assertThat(b.get("inputSize").asInt() + b.get("outputSize").asInt()).isEqualTo(k.get("nPublic").asInt());
        assertThat(b.get("labels").size()).isEqualTo(3);
        assertThat(b.get("verificationKey")).isEqualTo(k);

        Response missing = http.get("/v1/circuits/" + UUID.randomUUID() + "/verification_key.json");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.contentType()).startsWith("application/problem+json");
    }

    @Test
    void thePageIsServedWithAStrictContentSecurityPolicy() throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port + "/verify")).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
        assertThat(csp).contains("default-src 'none'", "connect-src 'self'", "script-src 'sha256-", "frame-ancestors 'none'",
                "base-uri 'none'");
        assertThat(csp).doesNotContain("unsafe-inline", "'unsafe-eval'");
        assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        java.net.http.HttpResponse<String> vk = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port + "/v1/circuits/"
                        + circuitId + "/verification-bundle.json")).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(vk.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }

    private java.net.http.HttpResponse<String> cross(String method, String path, String preflightFor) throws Exception {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port + path))
                .header("Origin", "https://elsewhere.example");
        if (preflightFor != null) {
            b.header("Access-Control-Request-Method", preflightFor);
        }
        return java.net.http.HttpClient.newHttpClient().send(b.method(method, java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anyOriginMayReadTheTwoDocumentsButNothingElse() throws Exception {
        String base = "/v1/circuits/" + circuitId;
        assertThat(cross("GET", base + "/verification_key.json", null).headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(cross("GET", base + "/verification-bundle.json", null).headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        for (String[] c : new String[][] {{"GET", base, null}, {"GET", "/v1/inferences/" + inference.get("id").asString(), null},
                {"OPTIONS", "/v1/models", "POST"}, {"OPTIONS", base + "/inferences", "POST"},
                {"OPTIONS", base + "/verification_key.json", "DELETE"}, {"OPTIONS", base + "/verification-bundle.json", "POST"}}) {
            java.net.http.HttpResponse<String> r = cross(c[0], c[1], c[2]);
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).as(String.join(" ", c[0], c[1], String.valueOf(c[2]))).isEmpty();
        }
        java.net.http.HttpResponse<String> bad = cross("GET", "/v1/circuits/not-a-uuid/verification-bundle.json", null);
        assertThat(bad.statusCode()).isEqualTo(404);
        assertThat(bad.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(bad.body()).doesNotContain("Exception", "at io.");
    }

    @Test
    void thePageIsServedWithSnarkjsInlined() {
        Response page = http.get("/verify", "text/html");
        assertThat(page.status()).as(page.toString()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.body()).contains("<title>zkml proof verifier</title>", "var snarkjs=")
                .doesNotContain("/*@@SNARKJS@@*/", "snarkjsMissing = '");
    }

    // ---- in the browser ---------------------------------------------------------------------

    private WebDriver browser() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "headless Chromium test skipped: " + CHROMIUM + " or " + CHROMEDRIVER + " is not installed "
                        + "(Debian: apt-get install chromium chromium-driver; .ci/run installs them)");
        if (browser == null) {
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1100,1400", "--no-first-run", "--disable-extensions");
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
            browser = new ChromeDriver(service, options);
        }
        return browser;
    }

    private WebElement verifyAndAwaitVerdict(WebDriver b) {
        WebElement verdict = b.findElement(By.id("verdict"));
        ((JavascriptExecutor) b).executeScript("document.getElementById('verdict').className = 'pending';");
        b.findElement(By.id("verify")).click();
        new WebDriverWait(b, Duration.ofSeconds(60)).until(d -> !verdict.getAttribute("class").equals("pending"));
        return verdict;
    }

    private static void setValue(WebDriver b, String id, String value) {
        ((JavascriptExecutor) b).executeScript("document.getElementById(arguments[0]).value = arguments[1];", id, value);
    }

    private static String color(WebElement e) {
        return e.getCssValue("background-color");
    }

    @Test
    void theServedPageSaysValidInGreenAndTamperedInRed() throws Exception {
        WebDriver b = browser();
        b.get("http://localhost:" + port + "/verify?circuit=" + circuitId + "&inference=" + inference.get("id").asString());
        new WebDriverWait(b, Duration.ofSeconds(30)).until(d -> "true".equals(
                d.findElement(By.tagName("body")).getAttribute("data-ready")));
        assertThat(b.findElement(By.id("log")).getText()).doesNotContain("error");

        WebElement verdict = verifyAndAwaitVerdict(b);
        assertThat(verdict.getAttribute("class")).as(b.findElement(By.id("log")).getText()).isEqualTo("valid");
        assertThat(color(verdict)).isIn("rgba(26, 127, 55, 1)", "rgb(26, 127, 55)");
        assertThat(b.findElement(By.id("out-circuit-id")).getText()).isEqualTo(circuitId);
        assertThat(b.findElement(By.id("out-circuit-hash")).getText()).isEqualTo(circuit.get("circuitHash").asString());
        String label = inference.get("output").get("label").asString();
        assertThat(b.findElement(By.id("out-output")).getText()).startsWith(label + " (class index ");
        Path shot = Path.of("target", "verifier-page.png").toAbsolutePath();
        Files.write(shot, ((TakesScreenshot) b).getScreenshotAs(OutputType.BYTES));
        System.out.println("[verify-page] screenshot " + shot);

        // One proof coordinate changed (the last hex digit of C.y): red.
        String proof = inference.get("proof").asString();
        char last = proof.charAt(proof.length() - 1);
        setValue(b, "proof", proof.substring(0, proof.length() - 1) + (last == '0' ? '1' : '0'));
        verdict = verifyAndAwaitVerdict(b);
        assertThat(verdict.getAttribute("class")).isEqualTo("invalid");
        assertThat(color(verdict)).isIn("rgba(207, 34, 46, 1)", "rgb(207, 34, 46)");

        // The real proof with another claimed output (class index + 1 mod 3): red.
        setValue(b, "proof", proof);
        List<String> pub = new java.util.ArrayList<>();
        inference.get("publicInputs").forEach(v -> pub.add(v.asString()));
        pub.set(pub.size() - 1, Integer.toString((Integer.parseInt(pub.getLast()) + 1) % 3));
        setValue(b, "public", Http.json().writeValueAsString(pub));
        verdict = verifyAndAwaitVerdict(b);
        assertThat(verdict.getAttribute("class")).isEqualTo("invalid");
        Path tampered = Path.of("target", "verifier-page-invalid.png").toAbsolutePath();
        Files.write(tampered, ((TakesScreenshot) b).getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void theSavedPageVerifiesFromFilesWithoutTheService() throws Exception {
        WebDriver b = browser();
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "saved-verifier");
        Path page = dir.resolve("verify.html");
        Files.writeString(page, http.get("/verify", "text/html").body());
        Path bundle = dir.resolve("verification-bundle.json");
        Files.writeString(bundle, http.get("/v1/circuits/" + circuitId + "/verification-bundle.json").body());
        // No service URL: the page runs from file:// and never calls the service.
        b.get(page.toUri().toString());
        new WebDriverWait(b, Duration.ofSeconds(30)).until(d -> "true".equals(
                d.findElement(By.tagName("body")).getAttribute("data-ready")));
        assertThat(b.findElement(By.id("service")).getAttribute("value")).isEmpty();
        b.findElement(By.id("circuit-file")).sendKeys(bundle.toString());
        new WebDriverWait(b, Duration.ofSeconds(10)).until(d -> "loaded".equals(
                d.findElement(By.tagName("body")).getAttribute("data-circuit")));
        setValue(b, "proof", inference.get("proof").asString());
        setValue(b, "public", inference.get("publicInputs").toString());
        WebElement verdict = verifyAndAwaitVerdict(b);
        assertThat(verdict.getAttribute("class")).as(b.findElement(By.id("log")).getText()).isEqualTo("valid");
        assertThat(b.findElement(By.id("out-circuit-hash")).getText()).isEqualTo(circuit.get("circuitHash").asString());
        setValue(b, "public", inference.get("publicInputs").toString().replaceFirst("\"[0-9]+\"", "\"12345\""));
        assertThat(verifyAndAwaitVerdict(b).getAttribute("class")).isEqualTo("invalid");
        assertThat(new File(page.toString())).exists();
    }

    @Test
    void aRejectedCircuitFileKeepsTheShownKeyAndAChangedProofClearsTheVerdict() throws Exception {
        WebDriver b = browser();
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "saved-verifier-bad");
        Path page = dir.resolve("verify.html");
        Files.writeString(page, http.get("/verify", "text/html").body());
        JsonNode good = http.get("/v1/circuits/" + circuitId + "/verification-bundle.json").json();
        Path bundle = dir.resolve("verification-bundle.json");
        Files.writeString(bundle, good.toString());
        // another key (IC[1] replaced) under a curve name snarkjs accepts but the page refuses
        ObjectNode other = (ObjectNode) good.deepCopy();
        ObjectNode otherVk = (ObjectNode) other.get("verificationKey");
        otherVk.put("curve", "BN254");
        ((ArrayNode) otherVk.get("IC")).set(1, otherVk.get("IC").get(2).deepCopy());
        other.put("circuitId", UUID.randomUUID().toString());
        Path otherFile = dir.resolve("other.json");
        Files.writeString(otherFile, other.toString());
        // a key with one IC point more than nPublic
        ObjectNode extra = (ObjectNode) good.deepCopy();
        ((ArrayNode) extra.get("verificationKey").get("IC")).add(extra.get("verificationKey").get("IC").get(0).deepCopy());
        Path extraFile = dir.resolve("extra.json");
        Files.writeString(extraFile, extra.toString());

        b.get(page.toUri().toString());
        new WebDriverWait(b, Duration.ofSeconds(30)).until(d -> "true".equals(
                d.findElement(By.tagName("body")).getAttribute("data-ready")));
        b.findElement(By.id("circuit-file")).sendKeys(bundle.toString());
        new WebDriverWait(b, Duration.ofSeconds(10)).until(d -> "loaded".equals(
                d.findElement(By.tagName("body")).getAttribute("data-circuit")));
        setValue(b, "proof", inference.get("proof").asString());
        setValue(b, "public", inference.get("publicInputs").toString());

        b.findElement(By.id("circuit-file")).sendKeys(otherFile.toString());
        new WebDriverWait(b, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("log")).getText().contains("error:"));
        assertThat(b.findElement(By.id("out-circuit-id")).getText()).isEqualTo(circuitId);
        WebElement verdict = verifyAndAwaitVerdict(b);
        assertThat(verdict.getAttribute("class")).as(b.findElement(By.id("log")).getText()).isEqualTo("valid");

        b.findElement(By.id("circuit-file")).sendKeys(extraFile.toString());
        new WebDriverWait(b, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("log")).getText().contains("IC points"));
        assertThat(verifyAndAwaitVerdict(b).getAttribute("class")).isEqualTo("valid");

        // a new proof file: the green verdict of the previous proof goes
        Path proofFile = dir.resolve("proof.json");
        Files.writeString(proofFile, "{\"pi_a\":[\"1\",\"2\",\"1\"],\"pi_b\":[[\"1\",\"0\"],[\"1\",\"0\"],[\"1\",\"0\"]],\"pi_c\":[\"1\",\"2\",\"1\"]}");
        b.findElement(By.id("proof-file")).sendKeys(proofFile.toString());
        new WebDriverWait(b, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("proof")).getAttribute("value").contains("pi_a"));
        assertThat(b.findElement(By.id("verdict")).getAttribute("class")).isEqualTo("pending");
    }
}
