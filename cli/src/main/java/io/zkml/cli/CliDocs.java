package io.zkml.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import picocli.CommandLine;

/**
 * Generates docs/cli.md from the picocli definitions (usage help of every command), so that the
 * document cannot drift: {@code CliDocsTest} compares the committed file with {@link #markdown()}.
 * {@code java -cp ... io.zkml.cli.CliDocs docs/cli.md} (or the test with -Dzkml.cli.regenerate=true) rewrites it.
 */
public final class CliDocs {

    private CliDocs() {
    }

    public static String markdown() {
        CommandLine root = Zkml.commandLine();
        StringBuilder b = new StringBuilder();
        b.append("# The `zkml` command\n\n")
                .append("<!-- Generated from the picocli definitions in cli/src/main/java/io/zkml/cli by CliDocs;\n")
                .append("     do not edit: run ./mvnw -B -ntp -pl cli -am verify -DskipGoTests=true -Dzkml.cli.regenerate=true -->\n\n")
                .append("`bin/zkml` runs `cli/target/zkml.jar` (built on first use with `./mvnw -q -pl cli -am package -DskipTests`).\n")
                .append("It uses the service's own compiler (`circuit-compiler/`) and prover (`prover/`, gnark through JNI) on files,\n")
                .append("so a circuit compiled here is byte-identical to the service's (docs/reproducibility.md).\n\n")
                .append("## Files\n\n")
                .append("A circuit folder holds named files, each recording the versions that made it (JSON files: a\n")
                .append("`versions` object with `compiler`, `irVersion`, `gnark`, `abi`, `curve`, `go`; binary artifacts: the\n")
                .append("native library's versioned header, docs/native-abi.md \"Artifact files\"):\n\n")
                .append("| file | written by | content |\n|---|---|---|\n")
                .append("| `settings.json` | compile | circuit name, model format, model SHA-256 and class, the quantization settings used, versions |\n")
                .append("| `circuit.ir.json` | compile | the IR (docs/ir-format.md); its SHA-256 is the circuit hash |\n")
                .append("| `circuit.cs` | compile | the R1CS constraint system (header: kind `r1cs`, gnark, ABI, curve, circuit hash) |\n")
                .append("| `report.json` | compile | constraints, `constraintsByOp`, public inputs, features, outputs, quantization report, circuit hash, constraint-system SHA-256, versions |\n")
                .append("| `pk.bin`, `vk.bin` | setup | Groth16 proving and verifying keys (single-party setup: development only) |\n")
                .append("| `setup.json` | setup | the keys' SHA-256, setup time, versions |\n")
                .append("| `input.json` | prove | the input proven, `{\"input\": [...]}` in feature order |\n")
                .append("| `proof.json` | prove | `proof` (0x-hex, 256 bytes), `publicInputs` (decimal field elements, verifier order), `outputs`, `output`, `calldata`, circuit hash, versions |\n\n")
                .append("`zkml export snarkjs --out DIR` writes snarkjs's `verification_key.json`, `proof.json` and `public.json`\n")
                .append("into a folder of their own (docs/snarkjs.md); it refuses a folder whose `proof.json` is not snarkjs's.\n\n")
                .append("`proof.json` uses the key names of the service's inference JSON (`proof`, `publicInputs`), so\n")
                .append("`zkml verify --proof` also reads a saved `GET /v1/inferences/{id}` answer.\n\n")
                .append("## Exit codes\n\n| code | meaning |\n|---|---|\n");
        for (Map.Entry<String, String> e : Zkml.EXIT_CODES.entrySet()) {
            b.append("| ").append(e.getKey()).append(" | ").append(e.getValue()).append(" |\n");
        }
        b.append("\nErrors are one line on stderr, `zkml: error: ...` (a failed verification or reproduction:\n")
                .append("`zkml: verification failed: ...`, `zkml: not reproduced: ...`); `--debug` adds the stack trace.\n");
        appendUsage(b, root, "zkml");
        appendSubcommands(b, root, "zkml");
        return b.toString();
    }

    private static void appendSubcommands(StringBuilder b, CommandLine parent, String prefix) {
        for (Map.Entry<String, CommandLine> e : parent.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            appendUsage(b, e.getValue(), prefix + " " + e.getKey());
            appendSubcommands(b, e.getValue(), prefix + " " + e.getKey());
        }
    }

    private static void appendUsage(StringBuilder b, CommandLine c, String title) {
        b.append("\n## `").append(title).append("`\n\n```text\n")
                .append(c.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing().replaceAll("[ \\t]+\n", "\n"))
                .append("\n```\n");
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/cli.md");
        Files.writeString(out, markdown(), StandardCharsets.UTF_8);
    }
}
