package io.zkml.api.verifier;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.CrossOrigin;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

import io.zkml.api.support.Ids;

/**
 * The browser verifier: {@code GET /verify} (a self-contained HTML page with snarkjs inlined) and
 * the two documents it loads once per circuit, {@code GET /v1/circuits/{id}/verification_key.json}
 * (snarkjs's format) and {@code GET /v1/circuits/{id}/verification-bundle.json}. Both documents are
 * public and read-only, so any origin may read them (a page saved to a file has origin
 * {@code null}). docs/snarkjs.md.
 */
@RestController
class VerifierPageController {

    /** The page template on the class path; {@value #SNARKJS_MARKER} is replaced by the bundle. */
    static final String PAGE = "/verifier-page/verify.html";
    /** snarkjs's browser bundle, copied from verifier-contracts/node_modules by the Maven build. */
    static final String SNARKJS = "/verifier-page/snarkjs.min.js";
    static final String SNARKJS_MARKER = "/*@@SNARKJS@@*/";

    /** The inline {@code <script>} and {@code <style>} elements of the page, whose hashes the CSP allows. */
    private static final Pattern INLINE = Pattern.compile("<(script|style)>(.*?)</\\1>", Pattern.DOTALL);

    private final VerifierPageService service;
    private volatile String page;
    private volatile String csp;

    VerifierPageController(VerifierPageService service) {
        this.service = service;
    }

    @CrossOrigin(origins = "*", methods = RequestMethod.GET)
    @GetMapping(path = "/v1/circuits/{id}/verification_key.json", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> verificationKey(@PathVariable("id") String id) throws Exception {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).header("X-Content-Type-Options", "nosniff")
                .body(service.verificationKey(Ids.parse(id, "circuit")));
    }

    @CrossOrigin(origins = "*", methods = RequestMethod.GET)
    @GetMapping(path = "/v1/circuits/{id}/verification-bundle.json", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> bundle(@PathVariable("id") String id) throws Exception {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).header("X-Content-Type-Options", "nosniff")
                .body(service.bundle(Ids.parse(id, "circuit")));
    }

    /**
     * The page, with a Content-Security-Policy that runs only its own inline scripts (by hash), lets
     * snarkjs compile its WebAssembly and start its blob: workers, and connects to this service only
     * (the page saved to a file has no such header and may be pointed at any service).
     */
    @GetMapping(path = {"/verify", "/verify/"}, produces = MediaType.TEXT_HTML_VALUE)
    ResponseEntity<String> page() {
        String body = render();
        return ResponseEntity.ok().contentType(new MediaType("text", "html", StandardCharsets.UTF_8))
                .cacheControl(CacheControl.noCache())
                .header("Content-Security-Policy", csp)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .header("X-Frame-Options", "DENY")
                .body(body);
    }

    static String contentSecurityPolicy(String page) {
        StringBuilder scripts = new StringBuilder();
        StringBuilder styles = new StringBuilder();
        Matcher m = INLINE.matcher(page);
        while (m.find()) {
            (m.group(1).equals("script") ? scripts : styles).append(" 'sha256-").append(sha256Base64(m.group(2))).append('\'');
        }
        return "default-src 'none'; script-src" + scripts + " 'wasm-unsafe-eval'; worker-src blob:; style-src" + styles
                + "; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    private static String sha256Base64(String s) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String render() {
        String p = page;
        if (p == null) {
            String template = resource(PAGE);
            if (template == null) {
                throw new IllegalStateException("the verifier page " + PAGE + " is missing from the class path");
            }
            String snarkjs = resource(SNARKJS);
            String script = snarkjs != null
                    // the bundle has no "</script"; escaping keeps that true whatever version is copied
                    ? snarkjs.replace("</script", "<\\/script")
                    : "window.snarkjsMissing = 'snarkjs.min.js was not bundled into this build of the service "
                            + "(the api build copies it from verifier-contracts/node_modules: npm was missing)';";
            p = template.replace(SNARKJS_MARKER, script);
            csp = contentSecurityPolicy(p);
            page = p;
        }
        return p;
    }

    private static String resource(String name) {
        try (InputStream in = VerifierPageController.class.getResourceAsStream(name)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name, e);
        }
    }
}
