package io.zkml.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.zkml.contracts.CompilerSettings;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ResultWriterTest {

    @TempDir
    Path dir;

    @Test
    void writesEveryFieldAsJsonAndCreatesTheFolder() throws Exception {
        Stats t = Stats.ofMillis(List.of(10.0, 12.0, 11.0));
        ModelResult m = new ModelResult("credit-risk", "examples/credit-risk", Setting.of(Setting.DEMO), "ab".repeat(32), "org.tribuo.Model", "classification", 5, 2,
                new ModelResult.Family("linear", 1, 0, 0, 0, null),
                new ModelResult.Quantization("quantization.json", 16, 14, "declared", 0.01),
                new ModelResult.Circuit("cd".repeat(32), 1234, 321, 6, 40_000, 900,
                        java.util.Map.of("input_range", 300, "dense", 0, "argmax", 20, "output", 1)),
                new ModelResult.Timings(1.5, 2.5, 100.0, 98, t, t, t, t), 256,
                new MemoryProbe.Peak(10_000_000, 200_000_000L, 150_000_000L, true),
                new ModelResult.Evm("ef".repeat(32), 4000, 4500, true, 900_000, 230_000, 240_000, true, true,
                        new ModelResult.Oracle("groth16", "public", 167_000, 384_000, 150_000, 420_000)),
                new FidelityResult(33, 33, 1.0, null, null, 0.01, null, true));
        BenchReport report = new BenchReport(BenchReport.SCHEMA, "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z",
                MachineInfo.current(), new BenchReport.Versions("0.1.0-SNAPSHOT", "v0.16.3", "go1.26", 1, "bn254", "0.1.0",
                "4.3.2", "0.8.37+commit.f401782d", "anvil/v1.7.1"),
                new BenchReport.Settings(3, 1, 32, 1, true, "examples", List.of(16), CompilerSettings.defaults(), null,
                        List.of("10x4"), 16),
                List.of(m), List.of(new BenchReport.Failure("eth-price", "boom", Setting.of(Setting.DEMO))), List.of());

        Path file = dir.resolve("nested/bench.json");
        ResultWriter.write(report, file);

        JsonNode n = JsonMapper.builder().build().readTree(Files.readString(file));
        assertThat(n.get("schema").asString()).isEqualTo("zkml-bench/2");
        assertThat(n.get("settings").get("forests").get(0).asString()).isEqualTo("10x4");
        assertThat(n.get("refused")).isEmpty();
        assertThat(n.get("machine").get("availableProcessors").asInt()).isPositive();
        assertThat(n.get("versions").get("gnark").asString()).isEqualTo("v0.16.3");
        assertThat(n.get("settings").get("synthetic").get(0).asInt()).isEqualTo(16);
        assertThat(n.get("settings").get("solcSettings").get("evmVersion").asString()).isEqualTo("osaka");
        JsonNode model = n.get("models").get(0);
        assertThat(model.get("setting").get("sweep").asString()).isEqualTo("demo");
        assertThat(model.get("setting").get("provingSystem").asString()).isEqualTo("groth16");
        assertThat(model.get("setting").get("rangeCheck").asString()).isEqualTo("bits");
        assertThat(model.get("setting").get("visibility").asString()).isEqualTo("public");
        assertThat(model.get("setting").get("batchSize").asInt()).isEqualTo(1);
        assertThat(model.get("setting").get("inputScale").isNull()).isTrue();
        assertThat(model.get("circuit").get("constraints").asInt()).isEqualTo(321);
        assertThat(model.get("timings").get("prove").get("medianMillis").asDouble()).isEqualTo(11.0);
        assertThat(model.get("timings").get("prove").get("samplesMillis")).hasSize(3);
        assertThat(model.get("memory").get("rssPeakBytes").asLong()).isEqualTo(200_000_000L);
        assertThat(model.get("memory").get("rssAtStartBytes").asLong()).isEqualTo(150_000_000L);
        assertThat(model.get("evm").get("verificationGasUsed").asLong()).isEqualTo(230_000L);
        assertThat(model.get("fidelity").get("labelAgreementRate").asDouble()).isEqualTo(1.0);
        assertThat(n.get("failures").get(0).get("error").asString()).isEqualTo("boom");
        assertThat(Files.list(file.getParent())).containsExactly(file);
    }

    @Test
    void defaultFileNameCarriesAUtcTimestamp() {
        Path p = BenchmarkOptions.defaultOut(java.time.Instant.parse("2026-11-24T06:30:05Z"));
        assertThat(p).isEqualTo(Path.of("bench-results", "bench-20261124T063005Z.json"));
    }
}
