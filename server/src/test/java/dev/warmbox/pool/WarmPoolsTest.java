package dev.warmbox.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.warmbox.MutableClock;
import dev.warmbox.config.PoolSettings;
import dev.warmbox.sandbox.FakeSandboxes;
import dev.warmbox.sandbox.Language;
import dev.warmbox.sandbox.Sandbox;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WarmPoolsTest {
    private static final Duration TTL = Duration.ofHours(1);
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final FakeSandboxes sandboxes = new FakeSandboxes(clock);
    private WarmPools pools;
    /** How busy the fake machine's CPUs are, as the scaler reads it. */
    private volatile double cpuBusy = 0.2;
    /** WARM_POOL_MAX_CONCURRENT_HEALTH_CHECKS of the pools {@link #start} makes. */
    private int healthCheckBound = 16;

    @AfterEach
    void close() {
        if (pools != null) pools.close();
    }

    private WarmPools start(boolean enabled, int size) {
        return start(enabled, size, size, Duration.ofSeconds(5));
    }

    private WarmPools start(boolean enabled, int size, int maxSize, Duration queueTimeout) {
        var sizes = Map.of("python", size, "javascript", size, "go", size, "java", size);
        var maxSizes = Map.of("python", maxSize, "javascript", maxSize, "go", maxSize, "java", maxSize);
        pools = new WarmPools(new PoolSettings(enabled, sizes, maxSizes, TTL, Duration.ofHours(1), Duration.ofSeconds(2),
                Duration.ofSeconds(5), queueTimeout, 4, healthCheckBound, Duration.ofSeconds(2), Duration.ofSeconds(5)), sandboxes, clock,
                () -> cpuBusy);
        pools.start();
        return pools;
    }

    private void awaitWarm() {
        await().atMost(DEADLINE).until(pools::warm);
        await().atMost(DEADLINE).until(() -> pools.views().stream().allMatch(v -> v.available() == v.targetSize()));
    }

    @Test
    void fillsEveryPoolToItsTargetSizeWithProbedSandboxes() {
        start(true, 2);
        awaitWarm();
        for (Language language : Language.values()) {
            assertThat(pools.view(language).size()).as("%s pool size", language).isEqualTo(2);
            assertThat(sandboxes.liveOf(language)).as("containers launched for %s", language).isEqualTo(2);
        }
        assertThat(sandboxes.launchedWithProbe.values()).as("pool sandboxes are probed before joining").containsOnly(true);
    }

    @Test
    void handsOutAWarmSandboxAndCountsAHit() throws Exception {
        start(true, 1);
        awaitWarm();
        try (Lease lease = pools.acquire(Language.PYTHON)) {
            assertThat(lease.hit()).as("a warm sandbox was free").isTrue();
            assertThat(pools.view(Language.PYTHON).inUse()).isEqualTo(1);
            assertThat(pools.view(Language.PYTHON).available()).isZero();
        }
        assertThat(pools.view(Language.PYTHON).hits()).isEqualTo(1);
        assertThat(pools.view(Language.PYTHON).misses()).isZero();
    }

    @Test
    void servesAFreshSandboxWhenThePoolIsEmptyAndRemovesItAfterwards() throws Exception {
        start(true, 1);
        awaitWarm();
        try (Lease warm = pools.acquire(Language.GO)) {
            Sandbox fresh;
            try (Lease miss = pools.acquire(Language.GO)) {
                assertThat(miss.hit()).as("the only warm sandbox is lent out").isFalse();
                fresh = miss.sandbox();
                assertThat(sandboxes.launchedWithProbe.get(fresh)).as("a miss is not probed: the execution is").isFalse();
            }
            await().atMost(DEADLINE).until(() -> sandboxes.destroyed.contains(fresh));
            assertThat(warm.hit()).isTrue();
        }
        assertThat(pools.view(Language.GO).misses()).isEqualTo(1);
        assertThat(pools.view(Language.GO).size()).as("a miss does not join the pool").isEqualTo(1);
    }

    @Test
    void scrubsAReturnedSandboxAndHandsItOutAgain() throws Exception {
        start(true, 1);
        awaitWarm();
        Sandbox first;
        try (Lease lease = pools.acquire(Language.JAVA)) {
            first = lease.sandbox();
        }
        try (Lease again = pools.acquire(Language.JAVA)) {
            assertThat(again.hit()).as("the request waits for the scrub instead of missing").isTrue();
            assertThat(again.sandbox()).as("the same container, scrubbed").isEqualTo(first);
            // Read while the second lease is held: its own return starts another scrub.
            assertThat(sandboxes.resets.get()).as("one return, one scrub").isEqualTo(1);
        }
    }

    @Test
    void replacesASandboxThatCouldNotBeScrubbed() throws Exception {
        start(true, 1);
        awaitWarm();
        Sandbox dirty;
        try (Lease lease = pools.acquire(Language.PYTHON)) {
            dirty = lease.sandbox();
            sandboxes.unscrubbable.add(dirty);
        }
        await().atMost(DEADLINE).until(() -> sandboxes.destroyed.contains(dirty));
        await().atMost(DEADLINE).until(() -> pools.view(Language.PYTHON).available() == 1);
        assertThat(pools.view(Language.PYTHON).healthFailures()).isEqualTo(1);
    }

    @Test
    void aRequestArrivingDuringAHealthCheckWaitsForTheSandboxInsteadOfMissing() throws Exception {
        start(true, 1);
        awaitWarm();
        sandboxes.checkGate = new java.util.concurrent.CountDownLatch(1);
        Thread housekeeping = Thread.ofPlatform().start(pools::housekeep);
        await().atMost(DEADLINE).until(() -> pools.view(Language.PYTHON).available() == 0);
        var lease = new java.util.concurrent.atomic.AtomicReference<Lease>();
        Thread request = Thread.ofPlatform().start(() -> {
            try {
                lease.set(pools.acquire(Language.PYTHON));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().atMost(DEADLINE).until(() -> request.getState() == Thread.State.TIMED_WAITING);
        sandboxes.checkGate.countDown();
        request.join();
        housekeeping.join();
        try (Lease got = lease.get()) {
            assertThat(got.hit()).as("the checked sandbox came back and was handed out").isTrue();
        }
    }

    @Test
    void everyHousekeepingRoundSweepsStrayContainers() {
        start(true, 1);
        awaitWarm();
        int before = sandboxes.sweeps.get();
        pools.housekeep();
        assertThat(sandboxes.sweeps.get()).isEqualTo(before + 1);
    }

    @Test
    void recyclesAnExpiredSandboxOnlyAfterItsExecutionEnds() throws Exception {
        start(true, 1);
        awaitWarm();
        Lease lease = pools.acquire(Language.PYTHON);
        Sandbox old = lease.sandbox();
        clock.advance(TTL.plusSeconds(1));
        pools.housekeep();
        assertThat(sandboxes.destroyed).as("never recycled in the middle of an execution").doesNotContain(old);
        lease.close();
        await().atMost(DEADLINE).until(() -> sandboxes.destroyed.contains(old));
        await().atMost(DEADLINE).until(() -> pools.view(Language.PYTHON).available() == 1);
        try (Lease fresh = pools.acquire(Language.PYTHON)) {
            assertThat(fresh.sandbox()).as("the replacement is a new container").isNotEqualTo(old);
        }
    }

    @Test
    void housekeepingRecyclesIdleSandboxesPastTheirTtl() {
        start(true, 2);
        awaitWarm();
        List<Sandbox> before = new ArrayList<>(sandboxes.live);
        clock.advance(TTL);
        pools.housekeep();
        assertThat(sandboxes.destroyed).as("every container reached its TTL").containsAll(before);
        awaitWarm();
    }

    @Test
    void housekeepingReplacesAnUnhealthySandboxAndCountsTheFailure() {
        start(true, 2);
        awaitWarm();
        Sandbox sick = sandboxes.live.stream().filter(s -> s.language() == Language.JAVASCRIPT).findFirst().orElseThrow();
        sandboxes.unhealthy.add(sick);
        pools.housekeep();
        assertThat(sandboxes.destroyed).contains(sick);
        assertThat(pools.view(Language.JAVASCRIPT).healthFailures()).isEqualTo(1);
        await().atMost(DEADLINE).until(() -> pools.view(Language.JAVASCRIPT).available() == 2);
    }

    @Test
    void aStalledHealthCheckDelaysNoOtherCheckAndNoMoreThanTheBoundRunAtOnce() throws Exception {
        healthCheckBound = 3;
        start(true, 2);
        awaitWarm();
        Sandbox stalled = someLive(Language.PYTHON);
        Sandbox sick = someLive(Language.JAVASCRIPT);
        CountDownLatch paused = new CountDownLatch(1);
        sandboxes.stalledChecks.put(stalled, paused);
        sandboxes.unhealthy.add(sick);
        sandboxes.checkGate = new CountDownLatch(1);

        Thread round = Thread.ofPlatform().start(pools::housekeep);
        await().atMost(DEADLINE).until(() -> sandboxes.checksRunning.get() >= 3);
        sandboxes.checkGate.countDown();

        // Well within the agent's 5 s a stalled check takes: the others are not queued behind it.
        await().atMost(Duration.ofSeconds(2)).until(() -> sandboxes.checked.size() == 7);
        assertThat(sandboxes.destroyed).as("the unhealthy sandbox is replaced while the stalled check still runs").contains(sick);
        assertThat(pools.view(Language.JAVASCRIPT).healthFailures()).isEqualTo(1);
        assertThat(pools.view(Language.PYTHON).available()).as("only the stalled sandbox is out of the ready set").isEqualTo(1);
        assertThat(round.isAlive()).as("the round ends with its last check").isTrue();

        paused.countDown();
        round.join(DEADLINE.toMillis());
        assertThat(round.isAlive()).isFalse();
        assertThat(sandboxes.mostChecksAtOnce.get()).as("checks at once, never above WARM_POOL_MAX_CONCURRENT_HEALTH_CHECKS").isEqualTo(3);
        assertThat(pools.view(Language.PYTHON).available()).as("the stalled one answered healthy and is ready again").isEqualTo(2);
        await().atMost(DEADLINE).until(() -> pools.view(Language.JAVASCRIPT).available() == 2);
    }

    @Test
    void aHealthCheckThatThrowsFailsAloneAndItsSandboxIsReplaced() {
        start(true, 2);
        awaitWarm();
        Sandbox broken = someLive(Language.GO);
        sandboxes.throwingChecks.add(broken);

        pools.housekeep();

        assertThat(sandboxes.checked).as("every other sandbox of every pool was checked").hasSize(7);
        assertThat(sandboxes.destroyed).as("the sandbox whose check failed is not kept, nor lost").containsExactly(broken);
        assertThat(pools.view(Language.GO).healthFailures()).isEqualTo(1);
        await().atMost(DEADLINE).until(() -> pools.view(Language.GO).available() == 2 && pools.view(Language.GO).size() == 2);
    }

    private Sandbox someLive(Language language) {
        return sandboxes.live.stream().filter(s -> s.language() == language).findFirst().orElseThrow();
    }

    @Test
    void concurrentRefillsNeverLaunchMoreThanTheGap() throws Exception {
        start(true, 3);
        awaitWarm();
        List<Sandbox> taken = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try (Lease lease = pools.acquire(Language.GO)) {
                taken.add(lease.sandbox());
                lease.markBroken();
            }
        }
        CountDownLatch go = new CountDownLatch(1);
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) threads.execute(() -> {
                try {
                    go.await();
                    pools.housekeep();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            go.countDown();
        }
        await().atMost(DEADLINE).until(() -> pools.view(Language.GO).available() == 3);
        assertThat(sandboxes.liveOf(Language.GO)).as("exactly the target, no overshoot").isEqualTo(3);
    }

    @Test
    void aFailedLaunchIsCountedAndRetriedByHousekeeping() {
        sandboxes.failingLaunches.set(4);
        start(true, 1);
        await().atMost(DEADLINE).until(() -> pools.views().stream().mapToLong(PoolView::launchFailures).sum() == 4);
        assertThat(pools.warm()).as("four launches failed, so no pool is full").isFalse();
        pools.housekeep();
        awaitWarm();
    }

    @Test
    void withPoolsDisabledEveryRequestGetsAFreshContainer() throws Exception {
        start(false, 3);
        assertThat(pools.warm()).as("nothing to warm").isTrue();
        assertThat(sandboxes.live).as("no pool containers when disabled").isEmpty();
        try (Lease lease = pools.acquire(Language.PYTHON)) {
            assertThat(lease.hit()).isFalse();
        }
        assertThat(pools.view(Language.PYTHON).misses()).isEqualTo(1);
    }

    @Test
    void closingRemovesEveryContainer() throws Exception {
        start(true, 2);
        awaitWarm();
        Lease inFlight = pools.acquire(Language.PYTHON);
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            inFlight.close();
        });
        pools.close();
        assertThat(sandboxes.live).as("nothing left after shutdown").isEmpty();
        assertThat(sandboxes.destroyed).as("the in-flight sandbox was removed after it returned").contains(inFlight.sandbox());
        pools = null;
    }

    @Test
    void queuedRequestsAreServedFirstComeFirstServed() throws Exception {
        start(true, 1);
        awaitWarm();
        Lease held = pools.acquire(Language.PYTHON);
        sandboxes.launchGate = new CountDownLatch(1); // launches for the queue never finish: only the scrubbed one serves
        List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            queued.add(Thread.ofVirtual().start(() -> {
                try (Lease lease = pools.acquire(Language.PYTHON)) {
                    if (lease.hit()) order.add(n);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            int waiting = i + 1;
            await().atMost(DEADLINE).until(() -> pools.view(Language.PYTHON).waiting() == waiting);
        }
        held.close();
        for (Thread t : queued) t.join(DEADLINE.toMillis());
        assertThat(order).as("each request got the one scrubbed container in turn, in arrival order").containsExactly(0, 1, 2);
        sandboxes.launchGate.countDown();
    }

    @Test
    void aBurstGrowsThePoolWithTheContainersLaunchedForItAndIdleShrinksItBack() throws Exception {
        start(true, 1, 4, Duration.ofSeconds(5));
        awaitWarm();
        List<Lease> burst = new ArrayList<>();
        for (int i = 0; i < 4; i++) burst.add(pools.acquire(Language.GO));
        assertThat(burst.stream().filter(Lease::hit)).as("one warm, three launched for the burst").hasSize(1);
        pools.rescale();
        clock.advance(Duration.ofSeconds(1));
        pools.rescale();
        clock.advance(Duration.ofSeconds(1));
        pools.rescale();
        assertThat(pools.view(Language.GO).targetSize()).as("four in flight for the whole scale-up window").isEqualTo(4);
        burst.forEach(Lease::close);
        await().atMost(DEADLINE).until(() -> pools.view(Language.GO).available() == 4);
        assertThat(sandboxes.destroyed).as("the burst's containers joined the pool after their scrub").isEmpty();
        // The lull starts now: observed here rather than left to the background scaler, which may not
        // run before the clock moves (the seconds in between would then carry the burst's demand).
        pools.rescale();

        clock.advance(Duration.ofSeconds(3));
        pools.rescale();
        assertThat(pools.view(Language.GO).size()).as("a lull shorter than the 5 s scale-down window").isEqualTo(4);
        clock.advance(Duration.ofSeconds(3));
        pools.rescale();
        assertThat(pools.view(Language.GO).targetSize()).isEqualTo(1);
        await().atMost(DEADLINE).until(() -> sandboxes.liveOf(Language.GO) == 1);
        assertThat(pools.view(Language.GO).size()).isEqualTo(1);
    }

    @Test
    void launchesForTheQueueAreBoundedAndEveryQueuedRequestIsServed() throws Exception {
        start(true, 0, 0, Duration.ofSeconds(5));
        sandboxes.launchGate = new CountDownLatch(1);
        List<Thread> requests = new ArrayList<>();
        var served = new java.util.concurrent.atomic.AtomicInteger();
        for (int i = 0; i < 10; i++) {
            requests.add(Thread.ofVirtual().start(() -> {
                try (Lease lease = pools.acquire(Language.JAVA)) {
                    served.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        await().atMost(DEADLINE).until(() -> pools.view(Language.JAVA).waiting() == 10);
        await().atMost(DEADLINE).until(() -> sandboxes.launchesStarted.get() == 4);
        await("WARM_POOL_MAX_CONCURRENT_LAUNCHES bounds launches for a queue of ten").during(Duration.ofMillis(500)).atMost(DEADLINE)
                .until(() -> sandboxes.launchesStarted.get() == 4);
        sandboxes.launchGate.countDown();
        for (Thread t : requests) t.join(DEADLINE.toMillis());
        assertThat(served.get()).isEqualTo(10);
        await().atMost(DEADLINE).until(() -> sandboxes.live.isEmpty());
    }

    @Test
    void aRequestNoSandboxReachesBeforeTheQueueTimeoutIsRefused() throws Exception {
        start(true, 1, 1, Duration.ofMillis(300));
        awaitWarm();
        try (Lease held = pools.acquire(Language.PYTHON)) {
            sandboxes.launchGate = new CountDownLatch(1);
            long start = System.nanoTime();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> pools.acquire(Language.PYTHON))
                    .isInstanceOf(PoolExhausted.class).hasMessageContaining("within 300 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("refused at the queue timeout, not before")
                    .isBetween(Duration.ofMillis(300), Duration.ofSeconds(3));
            assertThat(pools.view(Language.PYTHON).queueTimeouts()).isEqualTo(1);
            assertThat(pools.view(Language.PYTHON).waiting()).as("the refused request left the queue").isZero();
            sandboxes.launchGate.countDown();
        }
    }

    @Test
    void aPoolDoesNotGrowWhileTheCpusAreSaturatedAndTheQueueServesInstead() throws Exception {
        start(true, 1, 4, Duration.ofSeconds(5));
        awaitWarm();
        cpuBusy = 0.97;
        List<Lease> burst = new ArrayList<>();
        for (int i = 0; i < 4; i++) burst.add(pools.acquire(Language.GO));
        for (int s = 0; s < 4; s++) {
            pools.rescale();
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(pools.view(Language.GO).targetSize()).as("four in flight, but no CPU to run more at once").isEqualTo(1);
        cpuBusy = 0.5;
        for (int s = 0; s < 3; s++) {
            pools.rescale();
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(pools.view(Language.GO).targetSize()).as("CPU to spare over the whole scale-up window").isEqualTo(4);
        burst.forEach(Lease::close);
    }
}
