package io.zkml.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class LoadBenchmarkTest {

    @Test
    void percentilesAreNearestRankInMilliseconds() {
        List<Long> nanos = new ArrayList<>();
        for (long i = 100; i >= 1; i--) {
            nanos.add(i * 1_000_000); // 1..100 ms, unsorted
        }
        Map<String, Object> p = LoadBenchmark.percentiles(nanos);
        assertThat(p).containsEntry("n", 100).containsEntry("p50", 50.0).containsEntry("p95", 95.0)
                .containsEntry("p99", 99.0).containsEntry("min", 1.0).containsEntry("max", 100.0).containsEntry("mean", 50.5);
        assertThat(LoadBenchmark.percentiles(List.of(7_000_000L))).containsEntry("p50", 7.0).containsEntry("p99", 7.0);
        assertThat(LoadBenchmark.percentiles(List.of())).containsOnlyKeys("n");
    }
}
