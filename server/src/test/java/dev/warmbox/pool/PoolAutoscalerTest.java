package dev.warmbox.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The pool's target on a simulated clock: demand observed second by second, decisions read off. */
class PoolAutoscalerTest {
    private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");
    private final PoolAutoscaler autoscaler = new PoolAutoscaler(3, 16, 2, 60);
    private final DemandHistory history = new DemandHistory(autoscaler.memorySeconds());
    private Instant now = T0;
    private int target = autoscaler.floor();

    /** Demand held for {@code seconds}, observed four times a second as the pool's scaler does, the target moved each time. */
    private void hold(int demand, int seconds) {
        hold(demand, seconds, 0.3);
    }

    private void hold(int demand, int seconds, double cpuBusy) {
        for (int tick = 0; tick < seconds * 4; tick++) {
            history.observe(now, demand);
            history.observeCpu(now, cpuBusy);
            target = autoscaler.target(target, history, now);
            now = now.plus(Duration.ofMillis(250));
        }
    }

    @Test
    void aBurstGrowsTheTargetOnceItIsSustained() {
        hold(1, 10);
        assertThat(target).as("demand under the floor keeps the floor").isEqualTo(3);
        hold(8, 1);
        assertThat(target).as("one second of a burst is not yet sustained").isEqualTo(3);
        hold(8, 2);
        assertThat(target).as("two seconds of eight in flight").isEqualTo(8);
    }

    @Test
    void aSpikeShorterThanTheScaleUpWindowChangesNothing() {
        hold(2, 5);
        hold(12, 1);
        hold(2, 5);
        assertThat(target).isEqualTo(3);
    }

    @Test
    void aLullShorterThanTheScaleDownWindowChangesNothing() {
        hold(8, 5);
        hold(0, 50);
        assertThat(target).as("50 s of quiet within a 60 s window").isEqualTo(8);
        hold(8, 5);
        hold(0, 50);
        assertThat(target).isEqualTo(8);
    }

    @Test
    void idleShrinksTheTargetToTheFloorAfterTheScaleDownWindow() {
        hold(8, 5);
        hold(0, 61);
        assertThat(target).isEqualTo(3);
    }

    @Test
    void aSmallerSustainedLoadShrinksTheTargetOnlyToThatLoad() {
        hold(10, 5);
        hold(5, 61);
        assertThat(target).as("the highest peak of the window").isEqualTo(5);
    }

    @Test
    void theCeilingHolds() {
        hold(40, 10);
        assertThat(target).isEqualTo(16);
    }

    @Test
    void aFloorOfZeroGrowsWithDemandAndReturnsToZero() {
        var fromZero = new PoolAutoscaler(0, 4, 2, 5);
        var h = new DemandHistory(fromZero.memorySeconds());
        int t = 0;
        for (int s = 0; s < 3; s++) {
            h.observe(now.plusSeconds(s), 2);
            t = fromZero.target(t, h, now.plusSeconds(s));
        }
        assertThat(t).isEqualTo(2);
        h.observe(now.plusSeconds(3), 0);
        t = fromZero.target(t, h, now.plusSeconds(10));
        assertThat(t).as("no demand seen for longer than the window").isZero();
    }

    @Test
    void quietSecondsCarryTheLastDemandObserved() {
        history.observe(T0, 6);
        assertThat(history.lowestPeak(T0.plusSeconds(5), 3)).as("six in flight, nothing changed since").isEqualTo(6);
        assertThat(history.highestPeak(T0.plusSeconds(5), 60)).isEqualTo(6);
        history.observe(T0.plusSeconds(6), 1);
        assertThat(history.lowestPeak(T0.plusSeconds(7), 1)).isEqualTo(1);
        assertThat(history.highestPeak(T0.plusSeconds(7), 3)).as("the seconds before it fell peaked at six").isEqualTo(6);
    }

    @Test
    void secondsBeforeTheFirstObservationHadNoDemand() {
        history.observe(T0, 6);
        assertThat(history.lowestPeak(T0, 2)).isZero();
    }

    @Test
    void saturatedCpusHoldTheTargetAndShrinkingStillWorks() {
        hold(8, 5, 0.95);
        assertThat(target).as("more sandboxes at once would only contend for the CPU").isEqualTo(3);
        hold(8, 2, 0.6);
        assertThat(target).as("CPU to spare over the whole scale-up window").isEqualTo(8);
        hold(0, 61, 0.95);
        assertThat(target).as("idle shrinks whatever the CPU").isEqualTo(3);
    }

    @Test
    void theCpuReadingIsTheBusiestSecondOfTheWindow() {
        history.observeCpu(T0, 1.0);
        history.observeCpu(T0.plusMillis(500), 0.5);
        history.observeCpu(T0.plusSeconds(1), 0.0);
        assertThat(history.peakCpuBusy(T0.plusSeconds(1), 2)).as("the first second's mean").isEqualTo(0.75);
        assertThat(history.peakCpuBusy(T0.plusSeconds(1), 1)).isZero();
        assertThat(history.peakCpuBusy(T0.plusSeconds(10), 2)).as("no reading in the window").isZero();
    }

    @Test
    void oneSaturatedSecondAtTheStartOfABurstHoldsTheTargetForTheWindow() {
        hold(1, 5, 0.2);
        hold(8, 1, 0.95);
        hold(8, 1, 0.95);
        assertThat(target).as("the CPUs filled up as the burst began").isEqualTo(3);
    }
}
