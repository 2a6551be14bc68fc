package dev.warmbox.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetsTest {

    @Test
    void python8PassesOnlyWithHostThroughputLowTailAndHits() {
        LoadStats warmbox = stats(200, 20, 140, 1);
        LoadStats host = stats(100, 50, 80, 0);

        List<Targets.Verdict> verdicts = Targets.judge(Map.of("python8", new Targets.Figures(warmbox, host)));

        assertThat(verdicts).extracting(Targets.Verdict::pass).as("faster than host, p99 140 ms, 99.5% hits").containsOnly(true);
        assertThat(verdicts).hasSize(3);
    }

    @Test
    void javascriptTailOverThreeTimesItsMedianFails() {
        LoadStats warmbox = stats(200, 20, 61, 0);

        List<Targets.Verdict> verdicts = Targets.judge(Map.of("javascript8", new Targets.Figures(warmbox, null)));

        assertThat(verdicts).singleElement().satisfies(v -> {
            assertThat(v.target()).contains("3x p50");
            assertThat(v.pass()).as("61 ms is more than 3 x 20 ms").isFalse();
        });
    }

    @Test
    void compiledLanguagesFailOnAnyMissAfterWarmUp() {
        var verdicts = Targets.judge(Map.of("go4", new Targets.Figures(stats(10, 200, 300, 1), null)));

        assertThat(verdicts).singleElement().extracting(Targets.Verdict::pass).isEqualTo(false);
    }

    @Test
    void targetsOfScenariosNotRunAreLeftOut() {
        assertThat(Targets.judge(Map.of("python4", new Targets.Figures(stats(10, 10, 10, 0), null)))).isEmpty();
    }

    /** {@code requests} right answers over one second: all at p50 but the slowest 1% (and one more) at p99; the last {@code misses} missed. */
    private static LoadStats stats(int requests, double p50, double p99, int misses) {
        List<Sample> samples = new ArrayList<>();
        int tail = requests / 100 + 1;
        for (int i = 0; i < requests; i++) {
            samples.add(new Sample(0, i >= requests - tail ? p99 : p50, Sample.OK, i >= requests - misses ? "miss" : "hit"));
        }
        return LoadStats.of(samples, 1);
    }
}
