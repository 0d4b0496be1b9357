package io.zkml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** compile → setup → prove → verify, tampering, reproduce and inspect on the demo models. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliEndToEndTest {

    static final List<String> DEMOS = List.of("credit-risk", "credit-forest");

    Path tmp;
    final Map<String, Path> dirs = new HashMap<>();

    @BeforeAll
    void compileSetupProve() throws IOException {
        tmp = Files.createTempDirectory("zkml-cli-test");
        for (String demo : DEMOS) {
            Path ex = CliRun.example(demo);
            Path dir = tmp.resolve(demo);
            CliRun c = CliRun.run("compile", "--model", ex.resolve("model.tribuo"), "--settings", ex.resolve("quantization.json"),
                    "--name", demo, "--out", dir);
            assertThat(c.code()).as(c.toString()).isZero();
            CliRun s = CliRun.run("setup", "--dir", dir);
            assertThat(s.code()).as(s.toString()).isZero();
            assertThat(s.err()).contains("single-party");
            CliRun p = CliRun.run("prove", "--dir", dir, "--input", ex.resolve("input.json"));
            assertThat(p.code()).as(p.toString()).isZero();
            dirs.put(demo, dir);
        }
    }

    @AfterAll
    void cleanUp() throws IOException {
        try (var w = Files.walk(tmp)) {
            w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"credit-risk", "credit-forest"})
    void compileWritesTheNamedFilesWithVersionsAndTheServicesCircuit(String demo) throws IOException {
        Path dir = dirs.get(demo);
        for (String f : List.of("settings.json", "circuit.ir.json", "circuit.cs", "report.json", "pk.bin", "vk.bin",
                "setup.json", "input.json", "proof.json")) {
            assertThat(dir.resolve(f)).as(f).isRegularFile();
        }
        JsonNode report = Artifacts.readJson(dir.resolve("report.json"), "report");
        String committed = Artifacts.sha256(Files.readAllBytes(CliRun.example(demo).resolve("circuit.ir.json")));
        assertThat(report.get("circuitHash").asString()).isEqualTo(committed);
        assertThat(report.get("constraints").asInt()).isPositive();
        int sum = 0;
        for (Map.Entry<String, JsonNode> e : report.get("constraintsByOp").properties()) {
            sum += e.getValue().asInt();
        }
        assertThat(sum).isEqualTo(report.get("constraints").asInt());
        for (String f : List.of("settings.json", "report.json", "setup.json", "proof.json")) {
            JsonNode v = Artifacts.readJson(dir.resolve(f), f).get("versions");
            assertThat(v.get("compiler").asString()).as(f).isNotEmpty();
            assertThat(v.get("gnark").asString()).as(f).startsWith("v");
            assertThat(v.get("curve").asString()).as(f).isEqualTo("bn254");
            assertThat(v.get("abi").asInt()).as(f).isEqualTo(1);
        }
        JsonNode header = Artifacts.artifactHeader(Files.readAllBytes(dir.resolve("vk.bin")), "vk");
        assertThat(header.get("circuitSha256").asString()).isEqualTo(committed);
        JsonNode proof = Artifacts.readJson(dir.resolve("proof.json"), "proof");
        JsonNode expected = Artifacts.readJson(CliRun.example(demo).resolve("expected.json"), "expected");
        assertThat(proof.get("publicInputs")).isEqualTo(expected.get("circuit").get("publicInputs"));
        assertThat(proof.get("circuitHash")).isEqualTo(expected.get("circuit").get("circuitHash"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"credit-risk", "credit-forest"})
    void verifyAcceptsTheProofAndRejectsTampering(String demo) throws IOException {
        Path dir = dirs.get(demo);
        CliRun ok = CliRun.run("verify", "--vk", dir.resolve("vk.bin"), "--proof", dir.resolve("proof.json"));
        assertThat(ok.code()).as(ok.toString()).isZero();
        assertThat(ok.out()).startsWith("valid");

        ObjectNode proof = (ObjectNode) Artifacts.readJson(dir.resolve("proof.json"), "proof");
        String hex = proof.get("proof").asString();
        // flip one bit of C.y: the point leaves the curve, or the proof is wrong
        char last = hex.charAt(hex.length() - 1);
        char flipped = Character.forDigit(Character.digit(last, 16) ^ 1, 16);
        ObjectNode tampered = proof.deepCopy();
        tampered.put("proof", hex.substring(0, hex.length() - 1) + flipped);
        Path t = tmp.resolve(demo + "-tampered.json");
        Artifacts.writeJson(t, tampered);
        CliRun bad = CliRun.run("verify", "--vk", dir.resolve("vk.bin"), "--proof", t);
        assertThat(bad.code()).as(bad.toString()).isEqualTo(1);
        assertThat(bad.err().lines()).hasSize(1).allMatch(l -> l.startsWith("zkml: verification failed"));

        // A replaced by C (words 6, 7): a point on the curve, but not a valid proof
        ObjectNode other = proof.deepCopy();
        String body = hex.substring(2);
        other.put("proof", "0x" + body.substring(384, 512) + body.substring(128));
        Path o = tmp.resolve(demo + "-other.json");
        Artifacts.writeJson(o, other);
        CliRun wrong = CliRun.run("verify", "--vk", dir.resolve("vk.bin"), "--proof", o);
        assertThat(wrong.code()).as(wrong.toString()).isEqualTo(1);
        assertThat(wrong.err()).contains("is not valid");

        // changed public input: the output (last) becomes another label index
        ArrayNode pub = (ArrayNode) proof.get("publicInputs").deepCopy();
        int lastIdx = pub.size() - 1;
        pub.set(lastIdx, pub.get(lastIdx).asString().equals("0") ? "1" : "0");
        Path p = tmp.resolve(demo + "-public.json");
        Artifacts.writeJson(p, pub);
        CliRun changed = CliRun.run("verify", "--vk", dir.resolve("vk.bin"), "--proof", dir.resolve("proof.json"), "--public", p);
        assertThat(changed.code()).as(changed.toString()).isEqualTo(1);
        assertThat(changed.err().lines()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"credit-risk", "credit-forest"})
    void proveTakesInputsByName(String demo) throws IOException {
        Path dir = dirs.get(demo);
        JsonNode ir = Artifacts.readJson(dir.resolve("circuit.ir.json"), "ir");
        JsonNode input = Artifacts.readJson(CliRun.example(demo).resolve("input.json"), "input").get("input");
        ObjectNode byName = Artifacts.JSON.createObjectNode();
        ObjectNode values = byName.putObject("input");
        for (int i = ir.get("features").size() - 1; i >= 0; i--) {
            values.set(ir.get("features").get(i).asString(), input.get(i));
        }
        Path in = tmp.resolve(demo + "-by-name.json");
        Artifacts.writeJson(in, byName);
        Path proof = tmp.resolve(demo + "-by-name-proof.json");
        CliRun r = CliRun.run("prove", "--dir", dir, "--input", in, "--out", proof);
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(Artifacts.readJson(proof, "p").get("publicInputs"))
                .isEqualTo(Artifacts.readJson(dir.resolve("proof.json"), "p").get("publicInputs"));

        values.remove(ir.get("features").get(0).asString());
        values.put("nonsense", 1);
        Artifacts.writeJson(in, byName);
        CliRun bad = CliRun.run("prove", "--dir", dir, "--input", in, "--out", proof);
        assertThat(bad.code()).isEqualTo(3);
        assertThat(bad.err()).contains("unknown features [nonsense]").contains("missing features");
    }

    @ParameterizedTest
    @ValueSource(strings = {"credit-risk", "credit-forest"})
    void reproduceMatchesTheCommittedCircuitAndNamesTheFirstDifference(String demo) throws IOException {
        Path ex = CliRun.example(demo);
        Path dir = dirs.get(demo);
        CliRun same = CliRun.run("reproduce", "--model", ex.resolve("model.tribuo"), "--settings", ex.resolve("quantization.json"),
                "--ir", ex.resolve("circuit.ir.json"), "--cs", dir.resolve("circuit.cs"));
        assertThat(same.code()).as(same.toString()).isZero();
        assertThat(same.out()).startsWith("reproduced");

        // settings.json written by compile is accepted as settings too; and a bare circuit hash
        String hash = Artifacts.sha256(Files.readAllBytes(ex.resolve("circuit.ir.json")));
        CliRun byHash = CliRun.run("reproduce", "--model", ex.resolve("model.tribuo"), "--settings", dir.resolve("settings.json"),
                "--name", demo, "--circuit-hash", hash);
        assertThat(byHash.code()).as(byHash.toString()).isZero();

        String text = Files.readString(ex.resolve("circuit.ir.json"));
        Path modified = tmp.resolve(demo + "-modified.ir.json");
        Files.writeString(modified, text.replace("\"inputScale\": 11", "\"inputScale\": 12"));
        assertThat(Files.readString(modified)).isNotEqualTo(text);
        CliRun diff = CliRun.run("reproduce", "--model", ex.resolve("model.tribuo"), "--settings", ex.resolve("quantization.json"),
                "--ir", modified);
        assertThat(diff.code()).as(diff.toString()).isEqualTo(1);
        assertThat(diff.err().lines()).hasSize(1);
        assertThat(diff.err()).startsWith("zkml: not reproduced").contains("first difference at $.quantization.inputScale");

        CliRun otherHash = CliRun.run("reproduce", "--model", ex.resolve("model.tribuo"), "--settings", ex.resolve("quantization.json"),
                "--name", demo, "--circuit-hash", "00".repeat(32));
        assertThat(otherHash.code()).isEqualTo(1);

        // another constraint system file (the other demo's): not reproduced
        Path otherCs = dirs.get(DEMOS.get((DEMOS.indexOf(demo) + 1) % DEMOS.size())).resolve("circuit.cs");
        CliRun cs = CliRun.run("reproduce", "--model", ex.resolve("model.tribuo"), "--settings", ex.resolve("quantization.json"),
                "--ir", ex.resolve("circuit.ir.json"), "--cs", otherCs);
        assertThat(cs.code()).as(cs.toString()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"credit-risk", "credit-forest"})
    void inspectDescribesTheCircuit(String demo) throws IOException {
        Path dir = dirs.get(demo);
        CliRun r = CliRun.run("inspect", dir.resolve("circuit.ir.json"));
        assertThat(r.code()).as(r.toString()).isZero();
        JsonNode report = Artifacts.readJson(dir.resolve("report.json"), "report");
        assertThat(r.out()).contains("circuit hash  " + report.get("circuitHash").asString())
                .contains(report.get("constraints").asInt() + " R1CS constraints")
                .contains("input_range").contains("public").contains("zkml-circuit-compiler")
                .contains("gnark v");
        for (Map.Entry<String, JsonNode> e : report.get("constraintsByOp").properties()) {
            assertThat(r.out()).containsPattern("\\n  " + e.getKey() + " +" + e.getValue().asInt() + "\\n");
        }
        CliRun quick = CliRun.run("inspect", "--no-constraints", dir.resolve("circuit.ir.json"));
        assertThat(quick.code()).isZero();
        assertThat(quick.out()).doesNotContain("R1CS constraints");
    }

    @ParameterizedTest
    @ValueSource(strings = {"credit-risk", "credit-forest"})
    void verifyFetchesFromAServiceOnceAndChecksLocally(String demo) throws IOException {
        Path dir = dirs.get(demo);
        JsonNode proof = Artifacts.readJson(dir.resolve("proof.json"), "proof");
        String vkHash = Artifacts.sha256(Files.readAllBytes(dir.resolve("vk.bin")));
        ObjectNode inference = Artifacts.JSON.createObjectNode();
        inference.put("id", "inf-1").put("circuitId", "c-1").put("status", "succeeded");
        inference.set("publicInputs", proof.get("publicInputs"));
        inference.put("proof", proof.get("proof").asString());
        ObjectNode circuit = Artifacts.JSON.createObjectNode();
        circuit.put("id", "c-1").put("status", "ready").put("circuitHash", proof.get("circuitHash").asString())
                .put("verifyingKeyHash", vkHash);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        serve(server, "/v1/inferences/inf-1", inference.toString());
        serve(server, "/v1/circuits/c-1", circuit.toString());
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            Path saved = tmp.resolve(demo + "-fetched.json");
            CliRun ok = CliRun.run("verify", "--service", url, "--inference", "inf-1", "--vk", dir.resolve("vk.bin"), "--save", saved);
            assertThat(ok.code()).as(ok.toString()).isZero();
            CliRun offline = CliRun.run("verify", "--vk", dir.resolve("vk.bin"), "--proof", saved);
            assertThat(offline.code()).as(offline.toString()).isZero();

            CliRun noVk = CliRun.run("verify", "--service", url, "--inference", "inf-1");
            assertThat(noVk.code()).isEqualTo(2);
            assertThat(noVk.err()).contains("does not serve verifying keys").contains(vkHash);

            Path otherVk = dirs.get(DEMOS.get((DEMOS.indexOf(demo) + 1) % DEMOS.size())).resolve("vk.bin");
            CliRun wrongVk = CliRun.run("verify", "--service", url, "--inference", "inf-1", "--vk", otherVk);
            assertThat(wrongVk.code()).isEqualTo(1);
            assertThat(wrongVk.err()).contains("is not the key of circuit c-1");

            CliRun missing = CliRun.run("verify", "--service", url, "--inference", "nope", "--vk", dir.resolve("vk.bin"));
            assertThat(missing.code()).isEqualTo(3);
            assertThat(missing.err().lines()).hasSize(1);
        } finally {
            server.stop(0);
        }
    }

    private static void serve(HttpServer server, String path, String body) {
        server.createContext(path, ex -> {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            boolean exact = ex.getRequestURI().getPath().equals(path);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(exact ? 200 : 404, exact ? b.length : -1);
            if (exact) {
                ex.getResponseBody().write(b);
            }
            ex.close();
        });
    }
}
