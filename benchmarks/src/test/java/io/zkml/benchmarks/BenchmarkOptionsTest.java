package io.zkml.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class BenchmarkOptionsTest {

    private static final Instant NOW = Instant.parse("2026-11-24T06:30:05Z");

    @Test
    void defaults() {
        BenchmarkOptions o = BenchmarkOptions.parse(new String[0], NOW);
        assertThat(o.runs()).isEqualTo(5);
        assertThat(o.warmupRuns()).isEqualTo(1);
        assertThat(o.evm()).isTrue();
        assertThat(o.models()).isEmpty();
        assertThat(o.demos()).isTrue();
        assertThat(o.synthetic()).isEmpty();
        assertThat(o.examplesDir()).isEqualTo(Path.of("examples"));
        assertThat(o.out()).isEqualTo(Path.of("bench-results/bench-20261124T063005Z.json"));
    }

    @Test
    void parsesEveryOption() {
        BenchmarkOptions o = BenchmarkOptions.parse(new String[]{"--runs", "3", "--warmup", "0", "--out", "x.json",
                "--examples", "zoo", "--model", "a", "--model", "b", "--fidelity-samples", "0", "--seed", "7", "--skip-evm",
                "--no-demos", "--synthetic", "8, 64"}, NOW);
        assertThat(o).isEqualTo(new BenchmarkOptions(3, 0, Path.of("x.json"), Path.of("zoo"), java.util.List.of("a", "b"),
                false, java.util.List.of(8, 64), 0, 7, false, java.util.List.of(), 16));
    }

    @Test
    void parsesSuiteAndReport() {
        BenchmarkOptions o = BenchmarkOptions.parse(new String[]{"--suite", "standard", "--report", "r"}, NOW);
        assertThat(o.suite().name()).isEqualTo("standard");
        assertThat(o.reportDir()).isEqualTo(Path.of("r"));
        assertThat(o.out()).isEqualTo(Path.of("r", "results.json"));
        assertThat(o.fidelitySamples()).isEqualTo(o.suite().fidelitySamples());
        assertThat(BenchmarkOptions.parse(new String[]{"--suite", "quick", "--fidelity-samples", "3"}, NOW).fidelitySamples())
                .isEqualTo(3);
        // the standard sweep of the issue: 4 linear, 4 forests, 8 scales on one linear and one forest model
        assertThat(o.suite().cases()).hasSize(4 + 4 + 8 + 8);
        assertThat(o.suite().cases().stream().map(Suite.Case::label)).contains("synthetic-128", "forest-200x8x16",
                "synthetic-32 s_in=6", "forest-50x6x16 s_in=20");
        // issue 8: 4 feature counts x public, private, hashed
        Suite v = BenchmarkOptions.parse(new String[]{"--suite", "visibility"}, NOW).suite();
        // and (hashed outputs, hashed weights) 4 feature counts x hashed/hashed/fixed, public/public/hashed,
        // hashed/public/hashed, hashed/hashed/hashed (input/output/weights)
        assertThat(v.cases()).hasSize(4 * 3 + 4 * 4 + 1);
        assertThat(v.cases().stream().map(Suite.Case::label)).contains("synthetic-5 public", "synthetic-784 hashed",
                "synthetic-128 private", "synthetic-784 public/public/hashed", "synthetic-5 hashed/hashed/hashed");
        assertThat(v.cases().subList(0, 28)).allMatch(c -> c.setting().sweep().equals(Setting.VISIBILITY));
        Setting w = Setting.visibility("hashed/public/hashed");
        assertThat(List.of(w.inputVisibility(), w.outputVisibility(), w.weightsVisibility())).containsExactly("hashed", "public", "hashed");
        assertThatThrownBy(() -> Setting.visibility("public/private/hashed")).hasMessageContaining("input/output/weights");
        assertThat(v.cases().getLast().label()).isEqualTo("synthetic-5 hashed x16");
        assertThatThrownBy(() -> Setting.batch(1, "hashed")).hasMessageContaining("batchSize >= 2");
        assertThatThrownBy(() -> Setting.visibility("secret")).hasMessageContaining("public, private, hashed");
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[]{"--suite", "huge"}, NOW)).hasMessageContaining("quick");
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[]{"--suite", "quick", "--synthetic", "8"}, NOW))
                .hasMessageContaining("--suite chooses");
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[]{"--report", "r", "--out", "x.json"}, NOW))
                .hasMessageContaining("no --out");
    }

    @Test
    void parsesForests() {
        BenchmarkOptions o = BenchmarkOptions.parse(new String[]{"--no-demos", "--forests", "10x4, 100x6",
                "--forest-features", "8"}, NOW);
        assertThat(o.forests()).containsExactly(new BenchmarkOptions.Forest(10, 4), new BenchmarkOptions.Forest(100, 6));
        assertThat(o.forestFeatures()).isEqualTo(8);
        assertThat(BenchmarkOptions.parse(new String[]{"--forests", "standard"}, NOW).forests())
                .isEqualTo(BenchmarkOptions.STANDARD_FORESTS);
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[]{"--forests", "10"}, NOW)).hasMessageContaining("TREESxDEPTH");
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[]{"--forests", "0x4"}, NOW)).hasMessageContaining(">= 1");
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[]{"--forest-features", "1"}, NOW))
                .hasMessageContaining("at least 2");
    }

    @Test
    void helpIsNull() {
        assertThat(BenchmarkOptions.parse(new String[]{"--help"}, NOW)).isNull();
    }

    @Test
    void badValuesSayWhich() {
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[]{"--runs", "0"}, NOW)).hasMessageContaining("--runs");
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[]{"--runs", "x"}, NOW)).hasMessageContaining("integer");
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[]{"--runs"}, NOW)).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[]{"--fast"}, NOW)).hasMessageContaining("unknown option");
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[]{"--synthetic", "8,0"}, NOW)).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[]{"--no-demos"}, NOW)).hasMessageContaining("nothing to measure");
    }

    @Test
    void usageErrorExitsWith2() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = BenchmarkMain.run(new String[]{"--nope"}, new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
                new java.io.PrintStream(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("unknown option").contains("usage:");
    }

    @Test
    void aModelNameThatNamesNoDemoIsAUsageErrorToo() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = BenchmarkMain.run(new String[]{"--examples", "../examples", "--model", "no-such-model", "--skip-evm"},
                new java.io.PrintStream(new java.io.ByteArrayOutputStream()), new java.io.PrintStream(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("no demo \"no-such-model\"").contains("credit-risk");
    }
}
