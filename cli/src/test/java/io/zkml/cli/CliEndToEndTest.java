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
        assertThat(changed.err().lines()).hasSize(1)
                .allMatch(l -> l.startsWith("zkml: verification failed: the proof from ") && l.contains(" is not valid for these "));
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
    void reproduceMatchesTheCommittedCircuitAndNamesTheFirstDifference(String demo) throws Exception {
        Path ex = CliRun.example(demo);
        Path dir = dirs.get(demo);
        CliRun same = CliRun.run("reproduce", "--model", ex.resolve("model.tribuo"), "--settings", ex.resolve("quantization.json"),
                "--ir", ex.resolve("circuit.ir.json"), "--cs", dir.resolve("circuit.cs"));
        assertThat(same.code()).as(same.toString()).isZero();
        assertThat(same.out()).startsWith("reproduced");

        // issue 7: a lookup circuit's IR ("range_check": "lookup" first) reproduces, by its IR or with --range-check
        Path lookupIr = tmp.resolve(demo + "-lookup.ir.json");
        Files.write(lookupIr, io.zkml.compiler.CompiledCircuit.fromIr(Files.readAllBytes(ex.resolve("circuit.ir.json")))
                .withRangeCheckLookup().irJson());
        CliRun lookup = CliRun.run("reproduce", "--model", ex.resolve("model.tribuo"), "--settings", ex.resolve("quantization.json"),
                "--ir", lookupIr);
        assertThat(lookup.code()).as(lookup.toString()).isZero();
        CliRun lookupHash = CliRun.run("reproduce", "--model", ex.resolve("model.tribuo"), "--settings", ex.resolve("quantization.json"),
                "--name", demo, "--range-check", "lookup", "--circuit-hash", Artifacts.sha256(Files.readAllBytes(lookupIr)));
        assertThat(lookupHash.code()).as(lookupHash.toString()).isZero();

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
        byte[] vkBytes = Files.readAllBytes(dir.resolve("vk.bin"));
        Path otherVk = dirs.get(DEMOS.get((DEMOS.indexOf(demo) + 1) % DEMOS.size())).resolve("vk.bin");
        ObjectNode forged = inference.deepCopy().put("circuitId", "c-2");
        ObjectNode circuit2 = circuit.deepCopy().put("id", "c-2");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        serve(server, "/v1/inferences/inf-1", inference.toString());
        serve(server, "/v1/circuits/c-1", circuit.toString());
        serve(server, "/v1/circuits/c-1/verifying-key", vkBytes, "application/octet-stream");
        // a service whose served key is not the one its circuit publishes
        serve(server, "/v1/inferences/inf-2", forged.toString());
        serve(server, "/v1/circuits/c-2", circuit2.toString());
        serve(server, "/v1/circuits/c-2/verifying-key", Files.readAllBytes(otherVk), "application/octet-stream");
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            Path saved = tmp.resolve(demo + "-fetched.json");
            CliRun ok = CliRun.run("verify", "--service", url, "--inference", "inf-1", "--vk", dir.resolve("vk.bin"), "--save", saved);
            assertThat(ok.code()).as(ok.toString()).isZero();
            CliRun offline = CliRun.run("verify", "--vk", dir.resolve("vk.bin"), "--proof", saved);
            assertThat(offline.code()).as(offline.toString()).isZero();

            // no --vk: the key is fetched from GET /v1/circuits/{id}/verifying-key and checked against verifyingKeyHash
            Path savedVk = tmp.resolve(demo + "-fetched.vk.bin");
            CliRun noVk = CliRun.run("verify", "--service", url, "--inference", "inf-1", "--save-vk", savedVk);
            assertThat(noVk.code()).as(noVk.toString()).isZero();
            assertThat(noVk.out()).startsWith("valid");
            assertThat(Files.readAllBytes(savedVk)).isEqualTo(vkBytes);
            CliRun servedWrong = CliRun.run("verify", "--service", url, "--inference", "inf-2");
            assertThat(servedWrong.code()).as(servedWrong.toString()).isEqualTo(1);
            assertThat(servedWrong.err().lines()).hasSize(1);
            assertThat(servedWrong.err()).contains("served by " + url + "/v1/circuits/c-2/verifying-key")
                    .contains("is not the key of circuit c-2").contains(vkHash);

            CliRun wrongVk = CliRun.run("verify", "--service", url, "--inference", "inf-1", "--vk", otherVk);
            assertThat(wrongVk.code()).isEqualTo(1);
            assertThat(wrongVk.err()).contains("is not the key of circuit c-1");

            CliRun missing = CliRun.run("verify", "--service", url, "--inference", "nope", "--vk", dir.resolve("vk.bin"));
            assertThat(missing.code()).isEqualTo(3);
            assertThat(missing.err().lines()).hasSize(1);
            CliRun both = CliRun.run("verify", "--service", url, "--inference", "inf-1", "--vk", dir.resolve("vk.bin"), "--save-vk", savedVk);
            assertThat(both.code()).isEqualTo(2);
        } finally {
            server.stop(0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"credit-risk", "credit-forest"})
    void exportSnarkjsWritesTheSameThreeFilesFromFilesAndFromAService(String demo) throws IOException {
        Path dir = dirs.get(demo);
        Path local = tmp.resolve(demo + "-snarkjs-local");
        CliRun r = CliRun.run("export", "snarkjs", "--vk", dir.resolve("vk.bin"), "--proof", dir.resolve("proof.json"), "--out", local);
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("snarkjs groth16 verify");
        JsonNode proof = Artifacts.readJson(dir.resolve("proof.json"), "proof");
        JsonNode vkJson = Artifacts.readJson(local.resolve("verification_key.json"), "vk");
        assertThat(vkJson.get("protocol").asString()).isEqualTo("groth16");
        assertThat(vkJson.get("curve").asString()).isEqualTo("bn128");
        assertThat(vkJson.get("nPublic").asInt()).isEqualTo(proof.get("publicInputs").size());
        assertThat(vkJson.get("IC")).hasSize(proof.get("publicInputs").size() + 1);
        assertThat(Artifacts.readJson(local.resolve("public.json"), "public")).isEqualTo(proof.get("publicInputs"));
        assertThat(Artifacts.readJson(local.resolve("proof.json"), "proof").get("pi_b")).hasSize(3);
        try (var files = Files.list(local)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("proof.json", "public.json", "verification_key.json");
        }

        // the circuit folder's own proof.json is not replaced; a snarkjs folder is
        CliRun into = CliRun.run("export", "snarkjs", "--vk", dir.resolve("vk.bin"), "--proof", dir.resolve("proof.json"), "--out", dir);
        assertThat(into.code()).as(into.toString()).isEqualTo(2);
        assertThat(into.err()).contains("is not a snarkjs proof");
        assertThat(Artifacts.readJson(dir.resolve("proof.json"), "proof")).isEqualTo(proof);
        assertThat(CliRun.run("export", "snarkjs", "--vk", dir.resolve("vk.bin"), "--proof", dir.resolve("proof.json"), "--out", local)
                .code()).isZero();

        // --public replaces the public inputs
        ArrayNode pub = (ArrayNode) proof.get("publicInputs").deepCopy();
        pub.set(pub.size() - 1, "7");
        Path pubFile = tmp.resolve(demo + "-snarkjs-public.json");
        Artifacts.writeJson(pubFile, pub);
        Path replaced = tmp.resolve(demo + "-snarkjs-replaced");
        CliRun rp = CliRun.run("export", "snarkjs", "--vk", dir.resolve("vk.bin"), "--proof", dir.resolve("proof.json"),
                "--public", pubFile, "--out", replaced);
        assertThat(rp.code()).as(rp.toString()).isZero();
        assertThat(Artifacts.readJson(replaced.resolve("public.json"), "public")).isEqualTo(pub);

        // from a service: the circuit's verifying-key file, checked against verifyingKeyHash, converted here
        ObjectNode inference = Artifacts.JSON.createObjectNode();
        inference.put("id", "inf-1").put("circuitId", "c-1").put("status", "succeeded");
        inference.set("publicInputs", proof.get("publicInputs"));
        inference.put("proof", proof.get("proof").asString());
        ObjectNode circuit = Artifacts.JSON.createObjectNode();
        circuit.put("id", "c-1").put("status", "ready").put("circuitHash", proof.get("circuitHash").asString())
                .put("verifyingKeyHash", Artifacts.sha256(Files.readAllBytes(dir.resolve("vk.bin"))));
        ObjectNode inference2 = inference.deepCopy().put("id", "inf-2").put("circuitId", "c-2");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        serve(server, "/v1/inferences/inf-1", inference.toString());
        serve(server, "/v1/circuits/c-1", circuit.toString());
        serve(server, "/v1/circuits/c-1/verifying-key", Files.readAllBytes(dir.resolve("vk.bin")), "application/octet-stream");
        serve(server, "/v1/inferences/inf-2", inference2.toString());
        serve(server, "/v1/circuits/c-2", circuit.deepCopy().put("id", "c-2").toString());
        // c-2 publishes c-1's key hash but serves another key
        byte[] otherKey = Files.readAllBytes(dir.resolve("vk.bin"));
        otherKey[otherKey.length - 1] ^= 1;
        serve(server, "/v1/circuits/c-2/verifying-key", otherKey, "application/octet-stream");
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            Path remote = tmp.resolve(demo + "-snarkjs-remote");
            CliRun s = CliRun.run("export", "snarkjs", "--service", url, "--inference", "inf-1", "--circuit", "c-1", "--out", remote);
            assertThat(s.code()).as(s.toString()).isZero();
            for (String f : List.of("verification_key.json", "proof.json", "public.json")) {
                assertThat(Files.readAllBytes(remote.resolve(f))).as(f).isEqualTo(Files.readAllBytes(local.resolve(f)));
            }

            CliRun otherCircuit = CliRun.run("export", "snarkjs", "--service", url, "--inference", "inf-1", "--circuit", "c-9",
                    "--out", tmp.resolve(demo + "-snarkjs-none"));
            assertThat(otherCircuit.code()).as(otherCircuit.toString()).isEqualTo(3);
            assertThat(otherCircuit.err()).contains("belongs to circuit c-1, not c-9");

            Path wrongKey = tmp.resolve(demo + "-snarkjs-wrong-key");
            CliRun u = CliRun.run("export", "snarkjs", "--service", url, "--inference", "inf-2", "--out", wrongKey);
            assertThat(u.code()).as(u.toString()).isEqualTo(1);
            assertThat(u.err().lines()).hasSize(1);
            assertThat(u.err()).contains("is not the key of circuit c-2").contains("nothing written");
            assertThat(wrongKey).doesNotExist();
        } finally {
            server.stop(0);
        }

        // a key snarkjs cannot check, from files (this library makes none: the exporter is replaced)
        ExportSnarkjsCommand.Exporter real = ExportSnarkjsCommand.exporter;
        ExportSnarkjsCommand.exporter = (prover, vk, bytes, inputs) -> {
            throw new io.zkml.prover.SnarkjsUnsupportedException("the verifying key has 1 Pedersen commitment(s)");
        };
        try {
            Path none = tmp.resolve(demo + "-snarkjs-refused");
            CliRun u = CliRun.run("export", "snarkjs", "--vk", dir.resolve("vk.bin"), "--proof", dir.resolve("proof.json"), "--out", none);
            assertThat(u.code()).as(u.toString()).isEqualTo(5);
            assertThat(u.err().lines()).hasSize(1);
            assertThat(none).doesNotExist();
            // an existing folder keeps what it had
            byte[] before = Files.readAllBytes(local.resolve("public.json"));
            CliRun again = CliRun.run("export", "snarkjs", "--vk", dir.resolve("vk.bin"), "--proof", dir.resolve("proof.json"), "--out", local);
            assertThat(again.code()).isEqualTo(5);
            assertThat(Files.readAllBytes(local.resolve("public.json"))).isEqualTo(before);
            try (var files = Files.list(local)) {
                assertThat(files.count()).isEqualTo(3);
            }
        } finally {
            ExportSnarkjsCommand.exporter = real;
        }

        // a public input outside the field: bad input, nothing written
        pub.set(0, "21888242871839275222246405745257275088548364400416034343698204186575808495617");
        Artifacts.writeJson(pubFile, pub);
        Path bad = tmp.resolve(demo + "-snarkjs-bad");
        CliRun b = CliRun.run("export", "snarkjs", "--vk", dir.resolve("vk.bin"), "--proof", dir.resolve("proof.json"),
                "--public", pubFile, "--out", bad);
        assertThat(b.code()).as(b.toString()).isEqualTo(3);
        assertThat(bad).doesNotExist();
    }

    static void serve(HttpServer server, String path, String body) {
        serve(server, path, body.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    /** Serves {@code body} at exactly {@code path} (404 below it); a more specific path may be served too. */
    static void serve(HttpServer server, String path, byte[] b, String contentType) {
        serve(server, path, b, contentType, 200);
    }

    static void serve(HttpServer server, String path, byte[] b, String contentType, int status) {
        server.createContext(path, ex -> {
            boolean exact = ex.getRequestURI().getPath().equals(path);
            ex.getResponseHeaders().add("Content-Type", contentType);
            ex.sendResponseHeaders(exact ? status : 404, exact ? b.length : -1);
            if (exact) {
                ex.getResponseBody().write(b);
            }
            ex.close();
        });
    }
}
