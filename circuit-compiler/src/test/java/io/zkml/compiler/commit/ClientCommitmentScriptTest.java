package io.zkml.compiler.commit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.ir.Visibility;

/**
 * The client recipe of docs/commitments.md as a user runs it: {@code scripts/zkml-commitment.py}
 * (Python, standard library only, its own Poseidon2) recomputes the commitments of the golden hashed
 * cases (which the Go circuit proves) and, from the real input as sent to the API, the commitment
 * the Java reference computes for the credit-risk demo with hashed inputs, including inputs that
 * quantize on a tie. Bad salts exit 1 with one line.
 */
class ClientCommitmentScriptTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path SCRIPT = ROOT.resolve("scripts/zkml-commitment.py");
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path tmp;

    record Run(int status, String stdout, String stderr) {
    }

    static Run run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("python3", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("python3 " + SCRIPT + " did not finish in 60 s");
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip(),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip());
    }

    @Test
    void theScriptRecomputesTheGoldenCommitments() throws Exception {
        int checked = 0;
        for (String name : List.of("linear-classifier-3x4-hashed", "multi-io-hashed", "hashed-spill")) {
            Path dir = ROOT.resolve("testdata/golden/ir-v2");
            int perFile = 0;
            for (JsonNode c : JSON.readTree(dir.resolve(name + ".cases.json").toFile()).get("cases")) {
                // a few per file: one python3 start each (the Java and Go tests check them all)
                if (!c.has("commitment") || perFile == 3) {
                    continue;
                }
                perFile++;
                List<String> q = new ArrayList<>();
                c.get("input").forEach(v -> q.add(v.asString()));
                Run r = run("--ir", dir.resolve(name + ".ir.json").toString(), "--salt", c.get("salt").asString(),
                        "--quantized", "[" + String.join(",", q) + "]");
                assertThat(r.status()).as(r.stderr()).isZero();
                assertThat(r.stdout()).as("%s %s", name, q).isEqualTo(c.get("commitment").asString());
                checked++;
            }
        }
        assertThat(checked).isEqualTo(9);
    }

    @Test
    void fromTheRealInputTheScriptMatchesTheJavaReference() throws Exception {
        Path demo = ROOT.resolve("examples/credit-risk");
        CompiledCircuit hashed = CompiledCircuit.fromIr(Files.readAllBytes(demo.resolve("circuit.ir.json")))
                .withInputVisibility(Visibility.HASHED);
        Path ir = tmp.resolve("circuit.ir.json");
        Files.write(ir, hashed.irJson());
        int scale = hashed.quantization().inputScale();
        double tie = 0.5 / Math.scalb(1.0, scale); // half a quantization step: rounds away from zero
        List<double[]> inputs = List.of(new double[]{12.5, 0.35, 85.0, 1.0, 25.0},
                new double[]{12.5 + tie, 0.35, 85.0 - 3 * tie, 1.0, 25.0 + tie},
                JSON.readValue(demo.resolve("input.json").toFile(), Input.class).input());
        BigInteger salt = new BigInteger("123456789012345678901234567890");
        for (double[] x : inputs) {
            BigInteger expected = hashed.commitment(hashed.quantizeInput(x), salt).orElseThrow();
            StringBuilder json = new StringBuilder("[");
            for (int i = 0; i < x.length; i++) {
                json.append(i == 0 ? "" : ", ").append(x[i]);
            }
            Run r = run("--ir", ir.toString(), "--salt", salt.toString(), "--input", json.append(']').toString());
            assertThat(r.status()).as(r.stderr()).isZero();
            assertThat(r.stdout()).as(json.toString()).isEqualTo(expected.toString());
        }
    }

    @Test
    void aSaltOutsideTheFieldOrACircuitWithoutCommitmentIsOneLineAndStatus1() throws Exception {
        Path dir = ROOT.resolve("testdata/golden/ir-v2");
        Run big = run("--ir", dir.resolve("linear-classifier-3x4-hashed.ir.json").toString(), "--salt", Poseidon2.R.toString(),
                "--quantized", "[0,0,0,0]");
        assertThat(big.status()).isEqualTo(1);
        assertThat(big.stderr()).startsWith("zkml-commitment: ").doesNotContain("\n").contains("salt");
        Run none = run("--ir", dir.resolve("linear-classifier-3x4.ir.json").toString(), "--salt", "1", "--quantized", "[0,0,0,0]");
        assertThat(none.status()).isEqualTo(1);
        assertThat(none.stderr()).contains("not hashed").doesNotContain("\n");
    }

    record Input(double[] input) {
    }
}
