package dev.warmbox.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerdictsTest {
    private static PoolStatus status(long hits, long misses) {
        return new PoolStatus(hits, misses, Map.of("python", new PoolStatus.Pool(3, 3, 0)));
    }

    private static PoolTally tally(int hits, int misses) {
        PoolTally tally = new PoolTally();
        for (int i = 0; i < hits; i++) tally.record("python", "hit", 10);
        for (int i = 0; i < misses; i++) tally.record("python", "miss", 300);
        return tally;
    }

    @Test
    void hitRateAtTheThresholdPasses() {
        assertThat(Verdicts.hitRate(status(100, 5), status(199, 6), tally(99, 1), 0.99)).isEqualTo(Verdicts.OK);
    }

    @Test
    void hitRateBelowTheThresholdFailsNamingBothSources() {
        String verdict = Verdicts.hitRate(status(0, 0), status(97, 3), tally(97, 3), 0.99);
        assertThat(verdict).contains("hit rate from the responses 0.9700 < 0.9900").contains("status endpoint 0.9700");
    }

    @Test
    void serverCountingFewerMissesThanTheResponsesFails() {
        assertThat(Verdicts.hitRate(status(0, 0), status(100, 0), tally(99, 1), 0.5))
                .contains("counted 0 misses, the responses said 1");
    }

    @Test
    void serverRestartedDuringTheRunFails() {
        assertThat(Verdicts.burst(status(500, 20), status(3, 13), tally(3, 13))).contains("it restarted during the run");
    }

    @Test
    void runWithoutAnswersFails() {
        assertThat(Verdicts.hitRate(status(0, 0), status(0, 0), new PoolTally(), 0.99)).isEqualTo("no execution was answered");
    }

    @Test
    void burstCountsEveryHitAndMissWithoutNeedingMisses() {
        assertThat(Verdicts.burst(status(0, 0), status(3, 13), tally(3, 13))).isEqualTo(Verdicts.OK);
        assertThat(Verdicts.burst(status(0, 0), status(16, 0), tally(16, 0))).as("all served warm from the queue").isEqualTo(Verdicts.OK);
        assertThat(Verdicts.burst(status(0, 0), status(3, 12), tally(3, 13))).contains("counted 12 misses");
    }

    private static List<ServerSample> samples(double... threads) {
        List<ServerSample> samples = new ArrayList<>();
        for (int i = 0; i < threads.length; i++) samples.add(new ServerSample(i, threads[i], 100e6, 50e6, 12));
        return samples;
    }

    @Test
    void soakWithoutGrowthPasses() {
        List<ServerSample> samples = samples(30, 31, 30, 32, 31, 30, 31, 32, 30);
        assertThat(Verdicts.soak(samples, samples.get(0), samples.get(8), 4)).isEqualTo(Verdicts.OK);
    }

    @Test
    void soakFailsOnGrowingThreads() {
        List<ServerSample> samples = samples(30, 31, 30, 40, 45, 50, 55, 60, 65);
        assertThat(Verdicts.soak(samples, samples.get(0), samples.get(8), 4)).contains("live threads grew from a peak of 31 to 65");
    }

    @Test
    void soakFailsOnGrowingHeapFloorButNotOnNoise() {
        List<ServerSample> samples = new ArrayList<>();
        for (int i = 0; i < 9; i++) samples.add(new ServerSample(i, 30, (100 + 60 * i) * 1e6, 50e6, 12));
        assertThat(Verdicts.soak(samples, samples.get(0), samples.get(8), 4)).contains("heap in use grew");
        List<ServerSample> noisy = new ArrayList<>();
        for (int i = 0; i < 9; i++) noisy.add(new ServerSample(i, 30, (i % 2 == 0 ? 80 : 300) * 1e6, 50e6, 12));
        assertThat(Verdicts.soak(noisy, noisy.get(0), noisy.get(8), 4)).isEqualTo(Verdicts.OK);
    }

    @Test
    void soakFailsWhenContainersAreLeftOver() {
        List<ServerSample> samples = samples(30, 30, 30, 30, 30, 30);
        ServerSample end = new ServerSample(9, 30, 100e6, 50e6, 14);
        assertThat(Verdicts.soak(samples, samples.get(0), end, 4)).contains("12 at the start, 14 at the end");
    }

    @Test
    void soakTooShortToJudgeFails() {
        List<ServerSample> samples = samples(30, 30);
        assertThat(Verdicts.soak(samples, samples.get(0), samples.get(1), 4)).contains("too few samples");
    }
}
