package dev.warmbox.devenv.pools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmbox.MutableClock;
import dev.warmbox.devenv.instances.InstanceRow;
import dev.warmbox.devenv.scaling.LaunchHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reconciler's decisions, from desired and observed state alone, with a clock moved by hand. */
class ReconcilePlanTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T09:00:00Z"));
    private final List<InstanceRow> rows = new ArrayList<>();
    private final Set<String> running = new HashSet<>();
    private final Set<String> busy = new HashSet<>();
    private int counter;

    private static PoolRecord pool(int min, Integer maxInstances, String snapshot, boolean deleted) {
        return new PoolRecord("pool", "project", "class", "org", "runner", "WARM_POOL_PHASE_READY", min, Math.max(min, 1), maxInstances,
                PoolRecord.ReleasePolicy.RELEASE_POLICY_DESTROY, snapshot, 1, PoolRecord.READY, null, 1, deleted, Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-01-01T00:00:00Z"), PoolRecord.Schedule.ALWAYS, false, -1);
    }

    private InstanceRow instance(String state, boolean ready, String snapshot, boolean containerRunning) {
        counter++;
        InstanceRow row = new InstanceRow("i" + counter, "pool", "project", snapshot, state, ready, "10.0.0." + counter,
                state.equals(InstanceRow.CLAIMED) ? "env" + counter : null, Instant.parse("2026-01-01T08:00:00Z").plusSeconds(counter), null, false, null);
        rows.add(row);
        if (containerRunning) running.add(row.name());
        return row;
    }

    private ReconcilePlan decide(PoolRecord pool, LaunchHealth health) {
        return ReconcilePlan.decide(pool, rows, running, busy, health, clock.instant());
    }

    private ReconcilePlan decide(PoolRecord pool) {
        return decide(pool, LaunchHealth.OK);
    }

    @Test
    void aPoolWithoutSnapshotIsPendingAndLaunchesNothing() {
        ReconcilePlan plan = decide(pool(3, null, null, false));
        assertThat(plan.phase()).isEqualTo(PoolRecord.PENDING);
        assertThat(plan.launch()).as("nothing to launch from").isZero();
    }

    @Test
    void launchesExactlyTheGapToMinSizeCountingInstancesStillStarting() {
        instance(InstanceRow.WARM, true, "s1", true);
        busy.add(instance(InstanceRow.STARTING, false, "s1", false).name());
        ReconcilePlan plan = decide(pool(3, null, "s1", false));
        assertThat(plan.launch()).as("3 wanted, 1 warm, 1 being launched").isEqualTo(1);
        assertThat(plan.remove()).isEmpty();
        assertThat(plan.phase()).isEqualTo(PoolRecord.READY);
        assertThat(plan.desiredSize()).isEqualTo(3);
    }

    @Test
    void claimedInstancesDoNotCountAsWarmButDoCountAgainstMaxInstances() {
        instance(InstanceRow.CLAIMED, true, "s1", true);
        instance(InstanceRow.CLAIMED, true, "s1", true);
        assertThat(decide(pool(2, null, "s1", false)).launch()).as("no cap: refill both").isEqualTo(2);
        assertThat(decide(pool(2, 3, "s1", false)).launch()).as("cap 3 with 2 claimed leaves room for one warm").isEqualTo(1);
        assertThat(decide(pool(2, 2, "s1", false)).launch()).as("cap reached: none").isZero();
    }

    @Test
    void removesDeadOutdatedAndExcessInstancesButNeverBusyOnes() {
        InstanceRow dead = instance(InstanceRow.WARM, true, "s1", false);
        InstanceRow outdated = instance(InstanceRow.WARM, true, "s0", true);
        InstanceRow older = instance(InstanceRow.WARM, true, "s1", true);
        InstanceRow newer = instance(InstanceRow.WARM, true, "s1", true);
        InstanceRow busyOne = instance(InstanceRow.RESETTING, false, "s1", true);
        busy.add(busyOne.name());

        ReconcilePlan plan = decide(pool(2, null, "s1", false));

        assertThat(plan.remove()).as("dead, outdated, and the newest of the surplus").containsExactlyInAnyOrder(dead, outdated, newer);
        assertThat(plan.remove()).doesNotContain(older, busyOne);
        assertThat(plan.launch()).isZero();
    }

    @Test
    void workARestartInterruptedIsCleanedUpAndAClaimedInstanceThatDiedIsLost() {
        InstanceRow halfLaunched = instance(InstanceRow.STARTING, false, "s1", true);
        InstanceRow halfReset = instance(InstanceRow.RESETTING, false, "s1", true);
        InstanceRow coldInterrupted = instance(InstanceRow.CLAIMED, false, "s1", true);
        InstanceRow claimedDied = instance(InstanceRow.CLAIMED, true, "s1", false);
        InstanceRow claimedFine = instance(InstanceRow.CLAIMED, true, "s1", true);

        ReconcilePlan plan = decide(pool(1, null, "s1", false));

        assertThat(plan.remove()).as("no one is launching or resetting them any more").containsExactlyInAnyOrder(halfLaunched, halfReset);
        assertThat(plan.lost()).as("their environments failed").containsExactlyInAnyOrder(coldInterrupted, claimedDied);
        assertThat(plan.lost()).doesNotContain(claimedFine);
        assertThat(plan.launch()).as("the removed ones are replaced").isEqualTo(1);
    }

    @Test
    void aDeletedPoolDrainsWarmInstancesAndIsDeletedOnlyWhenNoClaimedOneIsLeft() {
        InstanceRow warm = instance(InstanceRow.WARM, true, "s1", true);
        instance(InstanceRow.CLAIMED, true, "s1", true);

        ReconcilePlan draining = decide(pool(2, null, "s1", true));
        assertThat(draining.remove()).containsExactly(warm);
        assertThat(draining.launch()).isZero();
        assertThat(draining.phase()).as("a claimed instance remains").isEqualTo(PoolRecord.DELETING);

        rows.clear();
        assertThat(decide(pool(2, null, "s1", true)).phase()).isEqualTo(PoolRecord.DELETED);
    }

    @Test
    void failedLaunchesDegradeThePoolAndBackOffWithTheClock() {
        LaunchHealth health = LaunchHealth.OK.failed(clock.instant(), "image broken").failed(clock.instant(), "image broken");
        ReconcilePlan during = decide(pool(1, null, "s1", false), health);
        assertThat(during.phase()).isEqualTo(PoolRecord.DEGRADED);
        assertThat(during.failureMessage()).isEqualTo("image broken");
        assertThat(during.launch()).as("two failures: wait 2 s before trying again").isZero();

        clock.advance(Duration.ofSeconds(2));
        ReconcilePlan after = decide(pool(1, null, "s1", false), health);
        assertThat(after.launch()).as("the back-off has passed").isEqualTo(1);
        assertThat(after.phase()).as("still degraded until a launch succeeds").isEqualTo(PoolRecord.DEGRADED);
    }

    @Test
    void backOffDoublesAndIsCappedAtAMinute() {
        LaunchHealth health = LaunchHealth.OK;
        for (int i = 0; i < 20; i++) health = health.failed(clock.instant(), "x");
        clock.advance(Duration.ofSeconds(59));
        assertThat(health.backingOff(clock.instant())).isTrue();
        clock.advance(Duration.ofSeconds(1));
        assertThat(health.backingOff(clock.instant())).as("never more than a minute").isFalse();
    }

    private ReconcilePlan rotate(PoolRecord pool, ReconcilePlan.Rotation rotation) {
        return ReconcilePlan.decide(pool, rows, new ReconcilePlan.Containers(running, Set.of()), busy, LaunchHealth.OK, ReconcilePlan.Demand.NONE,
                rotation, clock.instant());
    }

    private InstanceRow made(String state, String fingerprint, String readyAt) {
        counter++;
        InstanceRow row = new InstanceRow("i" + counter, "pool", "project", "s1", state, true, "10.0.0." + counter,
                state.equals(InstanceRow.CLAIMED) ? "env" + counter : null, Instant.parse("2026-01-01T08:00:00Z").plusSeconds(counter), readyAt == null ? null : Instant.parse(readyAt), false, fingerprint);
        rows.add(row);
        running.add(row.name());
        return row;
    }

    @Test
    void aChangedProjectOrClassRecreatesEveryUnclaimedInstanceButNoClaimedOne() {
        InstanceRow old1 = made(InstanceRow.WARM, "f1", "2026-01-01T08:30:00Z");
        InstanceRow old2 = made(InstanceRow.WARM, "f1", "2026-01-01T08:30:00Z");
        InstanceRow claimed = made(InstanceRow.CLAIMED, "f1", "2026-01-01T08:30:00Z");
        assertThat(rotate(pool(2, null, "s1", false), new ReconcilePlan.Rotation("f1", Duration.ZERO)).remove()).as("same definition").isEmpty();

        ReconcilePlan changed = rotate(pool(2, null, "s1", false), new ReconcilePlan.Rotation("f2", Duration.ZERO));
        assertThat(changed.remove()).containsExactlyInAnyOrder(old1, old2).doesNotContain(claimed);
        assertThat(changed.lost()).isEmpty();
        assertThat(changed.launch()).as("replaced from the new definition").isEqualTo(2);
    }

    @Test
    void anInstanceUnusedForTheRotationPeriodIsReplacedOneAtATime() {
        InstanceRow oldest = made(InstanceRow.WARM, "f1", "2026-01-01T07:00:00Z");
        InstanceRow old = made(InstanceRow.WARM, "f1", "2026-01-01T07:30:00Z");
        InstanceRow fresh = made(InstanceRow.WARM, "f1", "2026-01-01T08:59:00Z");
        ReconcilePlan.Rotation hourly = new ReconcilePlan.Rotation("f1", Duration.ofHours(1));

        ReconcilePlan first = rotate(pool(3, null, "s1", false), hourly);
        assertThat(first.remove()).as("the longest unused first, one per pass: the pool is never emptied at once").containsExactly(oldest);
        assertThat(first.launch()).isEqualTo(1);
        rows.remove(oldest);
        assertThat(rotate(pool(3, null, "s1", false), hourly).remove()).containsExactly(old);
        rows.remove(old);
        assertThat(rotate(pool(3, null, "s1", false), hourly).remove()).as("used recently enough").isEmpty();
        assertThat(rows).contains(fresh);
    }

    @Test
    void aSnapshotOlderThanTheRotationPeriodIsRebuiltOnlyWhenItsGitRefMovedOn() {
        made(InstanceRow.WARM, "f1", "2026-01-01T08:59:00Z");
        Instant built = clock.instant().minus(Duration.ofHours(2));
        java.util.function.Function<ReconcilePlan.Source, Boolean> prebuild = source -> rotate(pool(1, null, "s1", false),
                new ReconcilePlan.Rotation("f1", Duration.ofHours(1), source)).prebuild();
        Instant started = built.minusSeconds(300);
        assertThat(prebuild.apply(new ReconcilePlan.Source(built, "aaa", "bbb", started))).as("old snapshot, moved ref").isTrue();
        assertThat(prebuild.apply(new ReconcilePlan.Source(built, "aaa", "aaa", started))).as("the ref did not move").isFalse();
        assertThat(prebuild.apply(new ReconcilePlan.Source(built, "aaa", "bbb", clock.instant().minusSeconds(60))))
                .as("a prebuild started within the period (running, or failed): not again").isFalse();
        assertThat(prebuild.apply(new ReconcilePlan.Source(clock.instant().minusSeconds(60), "aaa", "bbb", started))).as("young snapshot").isFalse();
        assertThat(prebuild.apply(null)).as("no git source").isFalse();
    }
}
