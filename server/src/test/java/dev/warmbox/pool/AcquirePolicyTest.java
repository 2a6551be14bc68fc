package dev.warmbox.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class AcquirePolicyTest {
    private static final AcquirePolicy POLICY = new AcquirePolicy(Duration.ofMillis(100), 4);
    /** Hello world on a warm python sandbox here: short executions, a quick scrub, a slow launch. */
    private static final Costs QUICK = new Costs(Duration.ofMillis(10), Duration.ofMillis(5), Duration.ofMillis(300));
    private static final Costs SLOW_PROGRAMS = new Costs(Duration.ofSeconds(5), Duration.ofMillis(5), Duration.ofMillis(300));

    private static List<Duration> justQueued(int n) {
        return Collections.nCopies(n, Duration.ZERO);
    }

    @Test
    void launchesNothingWithoutAQueue() {
        assertThat(POLICY.launches(new AcquirePolicy.Queue(List.of(), 3, 0, 0), QUICK)).isZero();
    }

    @Test
    void waitsForASandboxBeingScrubbedRatherThanLaunching() {
        var queue = new AcquirePolicy.Queue(justQueued(1), 0, 1, 0);
        assertThat(POLICY.launches(queue, QUICK)).as("the scrub ends long before a launch would").isZero();
    }

    @Test
    void shortExecutionsServeAQueueLongerThanThePoolWithoutLaunching() {
        var queue = new AcquirePolicy.Queue(justQueued(8), 3, 0, 0);
        assertThat(POLICY.launches(queue, QUICK))
                .as("three sandboxes turning over every 15 ms serve eight requests long before a 300 ms launch").isZero();
    }

    @Test
    void longExecutionsLaunchForTheRequestsTheyCannotServeInTime() {
        var queue = new AcquirePolicy.Queue(justQueued(2), 3, 0, 0);
        assertThat(POLICY.launches(queue, SLOW_PROGRAMS)).as("no sandbox comes back within a launch").isEqualTo(2);
    }

    @Test
    void anEmptyPoolLaunchesForTheQueueButNeverMoreThanTheBound() {
        var queue = new AcquirePolicy.Queue(justQueued(20), 0, 0, 0);
        assertThat(POLICY.launches(queue, QUICK)).as("bounded, so misses cannot starve the warm path").isEqualTo(4);
    }

    @Test
    void launchesUnderWayCountAgainstBothTheNeedAndTheBound() {
        assertThat(POLICY.launches(new AcquirePolicy.Queue(justQueued(2), 0, 0, 1), QUICK)).isEqualTo(1);
        assertThat(POLICY.launches(new AcquirePolicy.Queue(justQueued(20), 0, 0, 3), QUICK)).isEqualTo(1);
        assertThat(POLICY.launches(new AcquirePolicy.Queue(justQueued(20), 0, 0, 4), QUICK)).isZero();
    }

    @Test
    void aRequestThatWaitedLongerThanALaunchGetsOneWhateverTheEstimate() {
        var stuck = new AcquirePolicy.Queue(List.of(Duration.ofMillis(400)), 0, 1, 0);
        assertThat(POLICY.launches(stuck, QUICK)).as("the scrub it waits for is overdue").isEqualTo(1);
    }

    @Test
    void patienceLongerThanALaunchDelaysTheOverdueLaunch() {
        var patient = new AcquirePolicy(Duration.ofSeconds(5), 4);
        var stuck = new AcquirePolicy.Queue(List.of(Duration.ofMillis(400)), 0, 1, 0);
        assertThat(patient.launches(stuck, QUICK)).isZero();
        var longer = new AcquirePolicy.Queue(List.of(Duration.ofSeconds(5)), 0, 1, 0);
        assertThat(patient.launches(longer, QUICK)).isEqualTo(1);
    }
}
