package io.zkml.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void medianOfAnOddCountIsTheMiddleSample() {
        assertThat(Stats.median(List.of(9.0, 1.0, 5.0, 3.0, 7.0))).isEqualTo(5.0);
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheTwoMiddleSamples() {
        assertThat(Stats.median(List.of(4.0, 1.0, 3.0, 10.0))).isEqualTo(3.5);
    }

    @Test
    void summaryKeepsTheSamplesInRunOrderAndConvertsNanos() {
        Stats s = Stats.ofNanos(List.of(3_000_000L, 1_000_000L, 2_500_000L));
        assertThat(s.runs()).isEqualTo(3);
        assertThat(s.medianMillis()).isEqualTo(2.5);
        assertThat(s.minMillis()).isEqualTo(1.0);
        assertThat(s.maxMillis()).isEqualTo(3.0);
        assertThat(s.samplesMillis()).containsExactly(3.0, 1.0, 2.5);
    }

    @Test
    void noSamplesIsAnError() {
        assertThatThrownBy(() -> Stats.ofMillis(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
