package io.zkml.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One real benchmark run of one demo model (two measured runs, no warm-up) through
 * {@link BenchmarkMain#run}: the result file has the fields docs/benchmarks.md describes. With EVM
 * unless {@code -DskipEvmTests} (then {@code --skip-evm}, as the verifier-contracts tests do).
 */
class BenchmarkMainTest {

    private static final Path REPO = Path.of(System.getProperty("zkml.repo.dir", "..")).toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void measuresADemoModelAndWritesTheDocumentedFields() throws Exception {
        String skip = System.getProperty("skipEvmTests"); // -DskipEvmTests alone is "" (as @EvmTest reads it)
        boolean evm = skip == null || !(skip.isEmpty() || skip.equalsIgnoreCase("true"));
        Path out = dir.resolve("bench.json");
        List<String> args = new ArrayList<>(List.of("--examples", REPO.resolve("examples").toString(), "--model", "eth-price",
                "--runs", "2", "--warmup", "0", "--fidelity-samples", "3", "--out", out.toString()));
        if (!evm) {
            args.add("--skip-evm");
        }
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();

        int code = BenchmarkMain.run(args.toArray(String[]::new), new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));

        assertThat(code).as(stderr.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode n = JsonMapper.builder().build().readTree(Files.readString(out));
        assertThat(n.get("schema").asString()).isEqualTo(BenchReport.SCHEMA);
        assertThat(n.get("failures")).isEmpty();
        assertThat(n.get("versions").get("gnark").asString()).startsWith("v0.16.");
        assertThat(n.get("settings").get("runs").asInt()).isEqualTo(2);
        assertThat(n.get("models")).hasSize(1);
        JsonNode m = n.get("models").get(0);
        assertThat(m.get("name").asString()).isEqualTo("eth-price");
        assertThat(m.get("task").asString()).isEqualTo("regression");
        assertThat(m.get("circuit").get("constraints").asInt()).isPositive();
        assertThat(m.get("circuit").get("publicInputs").asInt()).isEqualTo(m.get("features").asInt() + m.get("outputs").asInt());
        assertThat(m.get("proofBytes").asInt()).isEqualTo(256);
        for (String t : List.of("prove", "proveNative", "witnessNative", "verify")) {
            JsonNode stats = m.get("timings").get(t);
            assertThat(stats.get("runs").asInt()).as(t).isEqualTo(2);
            assertThat(stats.get("samplesMillis")).as(t).hasSize(2);
            double median = (stats.get("samplesMillis").get(0).asDouble() + stats.get("samplesMillis").get(1).asDouble()) / 2;
            assertThat(stats.get("medianMillis").asDouble()).as(t).isCloseTo(median, offset(0.001));
        }
        assertThat(m.get("memory").get("heapPeakBytes").asLong()).isPositive();
        assertThat(m.get("fidelity").get("samples").asInt()).isEqualTo(4); // input.json + 3
        assertThat(m.get("fidelity").get("provenOutputMatchesReference").asBoolean()).isTrue();
        assertThat(m.get("fidelity").get("withinBound").asBoolean()).isTrue();
        if (evm) {
            JsonNode e = m.get("evm");
            assertThat(e.get("realProofAccepted").asBoolean()).isTrue();
            assertThat(e.get("tamperedProofRejected").asBoolean()).isTrue();
            assertThat(e.get("fitsMainnetLimits").asBoolean()).isTrue();
            assertThat(e.get("verificationGasUsed").asLong()).isGreaterThan(21_000L);
            JsonNode o = e.get("oracle"); // issue 10: registry and oracle with the real proof
            assertThat(o.get("provingSystem").asString()).isEqualTo("groth16");
            assertThat(o.get("inputVisibility").asString()).isEqualTo("public");
            for (String f : List.of("registerModel", "registryVerifyAndRecord", "requestInference", "fulfil")) {
                assertThat(o.get(f).asLong()).as(f).isGreaterThan(21_000L);
            }
            assertThat(o.get("fulfil").asLong()).as("fulfil verifies, so it costs more than the verifier alone")
                    .isGreaterThan(e.get("verificationGasUsed").asLong());
            assertThat(n.get("versions").get("solc").asString()).startsWith("0.8.37+");
        } else {
            assertThat(m.get("evm").isNull()).isTrue();
        }
        assertThat(stdout.toString(StandardCharsets.UTF_8)).contains("eth-price").contains("wrote ");
    }

    @Test
    void measuresADemoModelUnderGroth16AndPlonk() throws Exception {
        String skip = System.getProperty("skipEvmTests");
        boolean evm = skip == null || !(skip.isEmpty() || skip.equalsIgnoreCase("true"));
        Path out = dir.resolve("bench-plonk.json");
        List<String> args = new ArrayList<>(List.of("--examples", REPO.resolve("examples").toString(), "--model", "eth-price",
                "--runs", "1", "--warmup", "0", "--fidelity-samples", "0", "--proving-systems", "groth16,plonk,groth16+lookup",
                "--out", out.toString()));
        if (!evm) {
            args.add("--skip-evm");
        }
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = BenchmarkMain.run(args.toArray(String[]::new), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));
        assertThat(code).as(stderr.toString(StandardCharsets.UTF_8)).isZero();
        JsonNode n = JsonMapper.builder().build().readTree(Files.readString(out));
        assertThat(n.get("failures")).isEmpty();
        assertThat(n.get("models")).hasSize(3);
        JsonNode g = n.get("models").get(0);
        JsonNode p = n.get("models").get(1);
        JsonNode l = n.get("models").get(2);
        // issue 7: range checks by lookup, Groth16 with one BSB22 commitment
        assertThat(l.get("setting").get("provingSystem").asString()).isEqualTo("groth16");
        assertThat(l.get("setting").get("rangeCheck").asString()).isEqualTo("lookup");
        assertThat(g.get("setting").get("rangeCheck").asString()).isEqualTo("bits");
        assertThat(l.get("proofBytes").asInt()).isEqualTo(384);
        assertThat(l.get("circuit").get("constraints").asInt()).isLessThan(g.get("circuit").get("constraints").asInt());
        assertThat(l.get("circuit").get("circuitHash").asString()).isNotEqualTo(g.get("circuit").get("circuitHash").asString());
        assertThat(l.get("fidelity").get("provenOutputMatchesReference").asBoolean()).isTrue();
        if (evm) {
            assertThat(l.get("evm").get("realProofAccepted").asBoolean()).isTrue();
            assertThat(l.get("evm").get("tamperedProofRejected").asBoolean()).isTrue();
            assertThat(l.get("evm").get("verificationGasUsed").asLong()).isGreaterThan(g.get("evm").get("verificationGasUsed").asLong());
        }
        assertThat(g.get("setting").get("provingSystem").asString()).isEqualTo("groth16");
        assertThat(p.get("setting").get("provingSystem").asString()).isEqualTo("plonk");
        assertThat(p.get("proofBytes").asInt()).isEqualTo(800);
        assertThat(p.get("circuit").get("constraints").asInt()).isGreaterThan(g.get("circuit").get("constraints").asInt());
        assertThat(p.get("fidelity").get("provenOutputMatchesReference").asBoolean()).isTrue();
        if (evm) {
            assertThat(p.get("evm").get("realProofAccepted").asBoolean()).isTrue();
            assertThat(p.get("evm").get("tamperedProofRejected").asBoolean()).isTrue();
            assertThat(p.get("evm").get("verificationGasUsed").asLong()).isGreaterThan(g.get("evm").get("verificationGasUsed").asLong());
            // the registry and oracle take the PLONK verifier too (proofSystemId 2, the 768-byte Solidity proof)
            assertThat(p.get("evm").get("oracle").get("provingSystem").asString()).isEqualTo("plonk");
            assertThat(p.get("evm").get("oracle").get("fulfil").asLong()).isGreaterThan(p.get("evm").get("verificationGasUsed").asLong());
        }
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--proving-systems", "stark"}, java.time.Instant.now()))
                .hasMessageContaining("unknown proving system");
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--proving-systems", "groth16+table"}, java.time.Instant.now()))
                .hasMessageContaining("unknown proving system");
    }
}
