package dev.warmbox.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadStatsTest {

    @Test
    void percentilesAreNearestRankOverEveryRequest() {
        List<Sample> samples = new ArrayList<>();
        for (int i = 1; i <= 100; i++) samples.add(new Sample(i, i, Sample.OK, "hit"));

        LoadStats stats = LoadStats.of(samples, 10);

        assertThat(stats.p50()).as("50th of 1..100 by nearest rank").isEqualTo(50);
        assertThat(stats.p99()).isEqualTo(99);
        assertThat(stats.max()).isEqualTo(100);
    }

    @Test
    void throughputCountsOnlyRightAnswersWhileFailuresAreCountedByStatus() {
        List<Sample> samples = List.of(
                new Sample(0, 10, Sample.OK, "hit"), new Sample(0, 10, Sample.OK, "miss"),
                new Sample(0, 1, "429", null), new Sample(0, 1, "429", null), new Sample(0, 5, "wrong output", "hit"));

        LoadStats stats = LoadStats.of(samples, 2);

        assertThat(stats.throughput()).as("two right answers in two seconds; a fast 429 is no throughput").isEqualTo(1.0);
        assertThat(stats.failures()).isEqualTo(Map.of("429", 2L, "wrong output", 1L));
        assertThat(stats.hits()).isEqualTo(2);
        assertThat(stats.misses()).isEqualTo(1);
    }

    @Test
    void hitRateIsUnknownWhenNoAnswerNamedAPool() {
        LoadStats host = LoadStats.of(List.of(new Sample(0, 3, Sample.OK, null)), 1);

        assertThat(host.hitRate()).as("host baselines have no pool").isNaN();
    }

    @Test
    void scenarioNamesAreLanguageThenConcurrency() {
        assertThat(Scenario.parseAll("python1, javascript8")).containsExactly(new Scenario("python", 1), new Scenario("javascript", 8));
    }
}
