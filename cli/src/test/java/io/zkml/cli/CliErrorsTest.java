package io.zkml.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Usage errors exit 2, bad files exit 3, each with one line on stderr and no stack trace; --help everywhere. */
class CliErrorsTest {

    @TempDir
    Path tmp;

    static void assertOneLineError(CliRun r, int code, String contains) {
        assertThat(r.code()).as(r.toString()).isEqualTo(code);
        assertThat(r.err().lines().toList()).as(r.toString()).hasSize(1);
        assertThat(r.err()).startsWith("zkml: error: ").contains(contains).doesNotContain("\tat ").doesNotContain("Exception");
    }

    @ParameterizedTest
    @ValueSource(strings = {"compile", "setup", "prove", "verify", "export", "export snarkjs", "inspect", "reproduce"})
    void everyCommandHasHelpWithTheExitCodes(String command) {
        List<String> args = new java.util.ArrayList<>(List.of(command.split(" ")));
        args.add("--help");
        CliRun r = CliRun.run(args.toArray());
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("Usage: zkml " + command).contains("Exit codes:").contains("bad input")
                .contains("nothing is written");
        if (!command.contains(" ")) {
            assertThat(CliRun.run("help", command).out()).isEqualTo(r.out());
        }
    }

    @Test
    void topLevelHelpListsTheCommands() {
        CliRun r = CliRun.run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("compile").contains("setup").contains("prove").contains("verify").contains("inspect")
                .contains("reproduce");
        CliRun none = CliRun.run();
        assertOneLineError(none, 2, "a command is needed");
        CliRun v = CliRun.run("--version");
        assertThat(v.code()).isZero();
        assertThat(v.out()).contains("zkml ").contains("gnark v");
    }

    @Test
    void usageErrorsExit2() {
        assertOneLineError(CliRun.run("compile", "--model", "x"), 2, "--out");
        assertOneLineError(CliRun.run("compile", "--model", "m", "--out", "o", "--bogus"), 2, "--bogus");
        assertOneLineError(CliRun.run("frobnicate"), 2, "frobnicate");
        assertOneLineError(CliRun.run("verify"), 2, "--vk");
        assertOneLineError(CliRun.run("verify", "--service", "http://127.0.0.1:1"), 2, "go together");
        assertOneLineError(CliRun.run("verify", "--vk", "a", "--proof", "b", "--save-vk", "c"), 2, "go with --service");
        assertOneLineError(CliRun.run("export"), 2, "a format is needed");
        assertOneLineError(CliRun.run("export", "snarkjs", "--out", tmp), 2, "--vk");
        assertOneLineError(CliRun.run("export", "snarkjs"), 2, "--out");
        assertOneLineError(CliRun.run("export", "snarkjs", "--service", "http://127.0.0.1:1", "--out", tmp), 2, "go together");
        assertOneLineError(CliRun.run("export", "snarkjs", "--service", "http://127.0.0.1:1", "--inference", "i", "--vk", "v",
                "--out", tmp), 2, "alternatives");
        assertOneLineError(CliRun.run("reproduce", "--model", "m", "--ir", "a", "--circuit-hash", "00".repeat(32)), 2, "exactly one");
        assertOneLineError(CliRun.run("reproduce", "--model", "m", "--circuit-hash", "xyz"), 2, "64 hex digits");
        Path model = CliRun.example("credit-risk").resolve("model.tribuo");
        assertOneLineError(CliRun.run("compile", "--model", model, "--format", "pmml", "--out", tmp), 2, "unknown model format");
        // onnx is a known format now: a Tribuo file read as ONNX is bad input (exit 3), not a usage error
        assertOneLineError(CliRun.run("compile", "--model", model, "--format", "onnx", "--out", tmp), 3, "not an ONNX model");
    }

    @Test
    void badFilesExit3() throws IOException {
        Path ex = CliRun.example("credit-risk");
        Path garbage = Files.writeString(tmp.resolve("garbage.bin"), "not a model");
        Path notJson = Files.writeString(tmp.resolve("broken.json"), "{\"input\": [1, 2");
        Path settings = Files.writeString(tmp.resolve("settings.json"), "{\"inputScal\": 3}");
        Path missing = tmp.resolve("missing.json");

        assertOneLineError(CliRun.run("compile", "--model", garbage, "--out", tmp.resolve("o")), 3, "model file");
        assertOneLineError(CliRun.run("compile", "--model", missing, "--out", tmp.resolve("o")), 3, "does not exist");
        assertOneLineError(CliRun.run("compile", "--model", ex.resolve("model.tribuo"), "--settings", settings, "--out", tmp.resolve("o")),
                3, "unknown key \"inputScal\"");
        assertOneLineError(CliRun.run("compile", "--model", ex.resolve("model.tribuo"), "--settings", notJson, "--out", tmp.resolve("o")),
                3, "not valid JSON");
        Path badRange = Files.writeString(tmp.resolve("range.json"), "{\"inputRanges\": [{\"min\": 2, \"max\": 1}]}");
        assertOneLineError(CliRun.run("compile", "--model", ex.resolve("model.tribuo"), "--settings", badRange, "--out", tmp.resolve("o")),
                3, "inputRanges[0]");

        assertOneLineError(CliRun.run("inspect", notJson), 3, "invalid");
        assertOneLineError(CliRun.run("inspect", settings), 3, "invalid");
        assertOneLineError(CliRun.run("setup", "--dir", tmp.resolve("nothing")), 3, "does not exist");

        Path dir = tmp.resolve("c");
        assertThat(CliRun.run("compile", "--model", ex.resolve("model.tribuo"), "--settings", ex.resolve("quantization.json"),
                "--out", dir).code()).isZero();
        assertOneLineError(CliRun.run("prove", "--dir", dir, "--input", ex.resolve("input.json")), 3, "setup");
        // a constraint system that is not one
        Path fake = tmp.resolve("fake");
        Files.createDirectories(fake);
        Files.copy(dir.resolve("circuit.ir.json"), fake.resolve("circuit.ir.json"));
        Files.writeString(fake.resolve("circuit.cs"), "ZKMLART1 nonsense");
        assertOneLineError(CliRun.run("setup", "--dir", fake), 3, "");
        assertThat(CliRun.run("setup", "--dir", dir).code()).isZero();
        Path outOfRange = Files.writeString(tmp.resolve("oor.json"), "{\"input\": [12.5, 0.35, 850, 1, 25]}");
        assertOneLineError(CliRun.run("prove", "--dir", dir, "--input", outOfRange), 3, "out of range");
        assertOneLineError(CliRun.run("prove", "--dir", dir, "--input", notJson), 3, "not valid JSON");
        assertOneLineError(CliRun.run("prove", "--dir", dir, "--input", settings), 3, "no \"input\"");

        assertThat(CliRun.run("prove", "--dir", dir, "--input", ex.resolve("input.json")).code()).isZero();
        assertOneLineError(CliRun.run("verify", "--vk", garbage, "--proof", dir.resolve("proof.json")), 3, "not a zkml artifact");
        assertOneLineError(CliRun.run("verify", "--vk", dir.resolve("pk.bin"), "--proof", dir.resolve("proof.json")), 3,
                "not a verifying key");
        assertOneLineError(CliRun.run("verify", "--vk", dir.resolve("vk.bin"), "--proof", notJson), 3, "not valid JSON");
        assertOneLineError(CliRun.run("verify", "--vk", dir.resolve("vk.bin"), "--proof", settings), 3, "no \"proof\"");
        assertOneLineError(CliRun.run("export", "snarkjs", "--vk", dir.resolve("pk.bin"), "--proof", dir.resolve("proof.json"),
                "--out", tmp.resolve("sj")), 3, "not a verifying key");
        assertOneLineError(CliRun.run("export", "snarkjs", "--vk", dir.resolve("vk.bin"), "--proof", notJson, "--out", tmp.resolve("sj")),
                3, "not valid JSON");
        assertThat(tmp.resolve("sj")).doesNotExist();
        Path fewer = Files.writeString(tmp.resolve("fewer.json"), "[\"1\", \"2\"]");
        assertOneLineError(CliRun.run("verify", "--vk", dir.resolve("vk.bin"), "--proof", dir.resolve("proof.json"), "--public", fewer),
                3, "");
        assertOneLineError(CliRun.run("export", "snarkjs", "--vk", dir.resolve("vk.bin"), "--proof", dir.resolve("proof.json"),
                "--public", fewer, "--out", tmp.resolve("sj")), 3, "takes 6 public inputs, got 2");
        assertThat(tmp.resolve("sj")).doesNotExist();
        // one of the three names is taken by a folder: refused before any file is replaced
        Path taken = tmp.resolve("sj-taken");
        Files.createDirectories(taken.resolve("public.json").resolve("inside"));
        Files.writeString(taken.resolve("verification_key.json"), "old");
        assertOneLineError(CliRun.run("export", "snarkjs", "--vk", dir.resolve("vk.bin"), "--proof", dir.resolve("proof.json"),
                "--out", taken), 3, "public.json is a folder");
        assertThat(taken.resolve("verification_key.json")).hasContent("old");
        try (var left = Files.list(taken)) {
            assertThat(left.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("verification_key.json", "public.json");
        }
        assertOneLineError(CliRun.run("reproduce", "--model", ex.resolve("model.tribuo"), "--settings", ex.resolve("quantization.json"),
                "--ir", notJson), 3, "not valid JSON");

        // --debug adds the stack trace
        CliRun debug = CliRun.run("inspect", "--debug", notJson);
        assertThat(debug.code()).isEqualTo(3);
        assertThat(debug.err().lines().count()).isGreaterThan(1);
        assertThat(List.of(debug.err().split("\n")).getFirst()).startsWith("zkml: error: ");
    }
}
