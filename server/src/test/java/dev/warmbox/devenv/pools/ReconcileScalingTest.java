package dev.warmbox.devenv.pools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmbox.MutableClock;
import dev.warmbox.devenv.instances.InstanceRow;
import dev.warmbox.devenv.scaling.Autoscaler;
import dev.warmbox.devenv.scaling.LaunchHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The reconciler's warm target following demand, on a simulated clock: the plan is decided again and
 * again the way passes do, each time from the pool row as the previous pass stored it (desiredSize),
 * the instance rows and the claim times. Windows are the defaults: demand over 10 min, lead time 5 min,
 * scale out after 1 min, in after 15 min, idle guard 30 min.
 */
class ReconcileScalingTest {
    private static final Instant CREATED = Instant.parse("2026-01-01T08:00:00Z");
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T09:00:00Z")); // a Thursday
    private final List<InstanceRow> rows = new ArrayList<>();
    private final Set<String> running = new HashSet<>();
    private final Set<String> stopped = new HashSet<>();
    private final List<Instant> claims = new ArrayList<>();
    private int counter;
    private int stored = -1;

    private boolean stopAfterInitialization;

    private PoolRecord pool(int min, int max, PoolRecord.Schedule schedule, int desired) {
        return new PoolRecord("pool", "project", "class", "org", "runner", PoolRecord.READY, min, max, null,
                PoolRecord.ReleasePolicy.RELEASE_POLICY_DESTROY, "s1", 1, PoolRecord.READY, null, 1, false, CREATED,
                CREATED, schedule, stopAfterInitialization, desired);
    }

    /**
     * One pass: decide from what is stored, then do what the reconciler's operations would (instantly):
     * launch (running), stop, start, remove, and store the target.
     */
    private ReconcilePlan pass(int min, int max, PoolRecord.Schedule schedule) {
        ReconcilePlan plan = ReconcilePlan.decide(pool(min, max, schedule, stored), rows, new ReconcilePlan.Containers(running, stopped), Set.of(),
                LaunchHealth.OK, new ReconcilePlan.Demand(Autoscaler.DEFAULTS, claims), ReconcilePlan.Rotation.NONE, clock.instant());
        rows.removeAll(plan.remove());
        plan.stop().forEach(r -> replace(r, true));
        plan.start().forEach(r -> replace(r, false));
        for (int i = 0; i < plan.launch(); i++) warm();
        stored = plan.desiredSize();
        return plan;
    }

    private void replace(InstanceRow r, boolean stop) {
        rows.set(rows.indexOf(r), new InstanceRow(r.name(), r.poolId(), r.projectId(), r.snapshotId(), r.state(), true, r.address(),
                r.environmentId(), r.createdAt(), r.readyAt(), stop, null));
        (stop ? running : stopped).remove(r.name());
        (stop ? stopped : running).add(r.name());
    }

    /** Two passes: the second stops what the first launched beyond the running target. */
    private ReconcilePlan settle(int min, int max, PoolRecord.Schedule schedule) {
        ReconcilePlan first = pass(min, max, schedule);
        pass(min, max, schedule);
        return first;
    }

    private ReconcilePlan settle(int min, int max) {
        return settle(min, max, PoolRecord.Schedule.ALWAYS);
    }

    private ReconcilePlan pass(int min, int max) {
        return pass(min, max, PoolRecord.Schedule.ALWAYS);
    }

    private InstanceRow warm() {
        counter++;
        InstanceRow row = new InstanceRow("i" + counter, "pool", "project", "s1", InstanceRow.WARM, true, "10.0.0." + counter, null,
                clock.instant().plusMillis(counter), null, false, null);
        rows.add(row);
        running.add(row.name());
        return row;
    }

    /** A claim as the claim transaction makes it: a warm instance (running first) becomes the environment's, and its time is recorded. */
    private void claim() {
        claims.add(clock.instant());
        rows.stream().filter(r -> r.state().equals(InstanceRow.WARM)).min(Comparator.comparing(InstanceRow::stopped)).ifPresent(r -> {
            rows.set(rows.indexOf(r), new InstanceRow(r.name(), r.poolId(), r.projectId(), r.snapshotId(), InstanceRow.CLAIMED, true,
                    r.address(), "env-" + r.name(), r.createdAt(), r.readyAt(), false, null));
            if (r.stopped()) replace(rows.stream().filter(x -> x.name().equals(r.name())).findFirst().orElseThrow(), false);
        });
    }

    /** Warm instances running (claimable at once). */
    private long warmCount() {
        return rows.stream().filter(r -> r.state().equals(InstanceRow.WARM) && !r.stopped()).count();
    }

    private long stoppedCount() {
        return rows.stream().filter(r -> r.state().equals(InstanceRow.WARM) && r.stopped()).count();
    }

    /** Six claims in half a minute, a pass after each; returns the pass a minute after the last one. */
    private ReconcilePlan sixClaimsThenAMinute() {
        for (int i = 0; i < 6; i++) {
            claim();
            clock.advance(Duration.ofSeconds(5));
            pass(1, 5);
        }
        assertThat(stored).as("6 claims in half a minute, not yet sustained for the scale-out window").isEqualTo(1);
        clock.advance(Duration.ofSeconds(55));
        return settle(1, 5);
    }

    @Test
    void scalesOutOnlyUnderSustainedDemandAndInOnlyAfterDemandStayedLow() {
        assertThat(settle(1, 5).desiredSize()).as("no demand: minSize").isEqualTo(1);
        assertThat(warmCount()).isEqualTo(1);
        assertThat(stoppedCount()).as("stopped instances up to maxSize").isEqualTo(4);
        ReconcilePlan out = sixClaimsThenAMinute();
        assertThat(out.desiredSize()).as("6 claims per 10 min x 5 min lead time = 3, sustained for a minute").isEqualTo(3);
        assertThat(out.start()).as("scale-out starts stopped instances").isNotEmpty();
        assertThat(warmCount()).as("running up to the new target").isEqualTo(3);
        assertThat(stoppedCount()).as("the rest up to maxSize stays stopped").isEqualTo(2);

        clock.advance(Duration.ofMinutes(10));
        ReconcilePlan lull = pass(1, 5);
        assertThat(lull.desiredSize()).as("the claims left the demand window, but a lull shorter than the scale-in window changes nothing")
                .isEqualTo(3);
        assertThat(lull.remove()).as("no churn").isEmpty();

        clock.advance(Duration.ofMinutes(15));
        ReconcilePlan in = pass(1, 5);
        assertThat(in.desiredSize()).as("demand stayed low for the whole scale-in window").isEqualTo(1);
        assertThat(in.stop()).as("the surplus is stopped, kept for the next burst").hasSize(2);
        assertThat(in.remove()).isEmpty();
        assertThat(warmCount()).isEqualTo(1);
        assertThat(stoppedCount()).isEqualTo(4);
    }

    @Test
    void desiredSizeStaysPutWhileInstancesAreClaimedAndBackfilled() {
        settle(1, 5);
        assertThat(sixClaimsThenAMinute().desiredSize()).isEqualTo(3);
        assertThat(warmCount()).isEqualTo(3);
        List<Integer> seen = new ArrayList<>();
        List<Integer> started = new ArrayList<>();
        List<Integer> launched = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            claim();
            ReconcilePlan plan = settle(1, 5);
            seen.add(plan.desiredSize());
            started.add(plan.start().size());
            launched.add(plan.launch());
            clock.advance(Duration.ofSeconds(2));
        }
        assertThat(seen).as("status.desiredSize does not flicker with claims").containsOnly(3);
        assertThat(started).as("each claim is backfilled at once from a stopped instance").containsOnly(1);
        assertThat(launched).as("and the stopped reserve by one launch").containsOnly(1);
        assertThat(warmCount()).isEqualTo(3);
        assertThat(stoppedCount()).isEqualTo(2);
    }

    @Test
    void maxSizeCapsTheTargetWhateverTheDemand() {
        for (int i = 0; i < 100; i++) claims.add(clock.instant().minusSeconds(100 - i));
        pass(0, 2);
        clock.advance(Duration.ofMinutes(2));
        assertThat(pass(0, 2).desiredSize()).isEqualTo(2);
    }

    @Test
    void aPoolWithMinSizeZeroEmptiesAfterTheIdleGuardAndComesBackWithAClaim() {
        clock.advance(Duration.ofMinutes(-60).plus(Duration.ofMinutes(1))); // 08:01, a minute after the pool was created
        assertThat(settle(0, 3).desiredSize()).as("within the idle guard of its creation: one instance").isEqualTo(1);
        assertThat(warmCount()).isEqualTo(1);

        clock.advance(Duration.ofMinutes(29));
        ReconcilePlan guarded = pass(0, 3);
        assertThat(guarded.desiredSize()).as("30 min without a claim: empty").isZero();
        assertThat(warmCount()).isZero();
        assertThat(stoppedCount()).as("empty means no stopped instances either").isZero();

        clock.advance(Duration.ofHours(3));
        claims.add(clock.instant()); // a cold start: no warm instance to take
        ReconcilePlan back = settle(0, 3);
        assertThat(back.desiredSize()).as("demand came back").isEqualTo(1);
        assertThat(back.launch()).as("one to run, two to stop").isEqualTo(3);
        assertThat(warmCount()).isEqualTo(1);

        clock.advance(Duration.ofMinutes(29));
        assertThat(pass(0, 3).desiredSize()).as("still within the guard of the last claim").isEqualTo(1);
        clock.advance(Duration.ofMinutes(1));
        assertThat(pass(0, 3).desiredSize()).isZero();
    }

    @Test
    void outsideItsActiveHoursThePoolIsEmpty() {
        PoolRecord.Schedule weekdays = new PoolRecord.Schedule("0 9-18 * * 1-5", "UTC");
        assertThat(settle(2, 4, weekdays).desiredSize()).as("Thursday 09:00").isEqualTo(2);
        assertThat(warmCount()).isEqualTo(2);

        clock.advance(Duration.ofHours(9).plusMinutes(1)); // 18:01
        ReconcilePlan evening = pass(2, 4, weekdays);
        assertThat(evening.desiredSize()).isZero();
        assertThat(evening.remove()).as("running and stopped ones").hasSize(4);

        clock.advance(Duration.ofDays(2)); // Saturday 18:01
        claims.add(clock.instant());
        assertThat(pass(2, 4, weekdays).launch()).as("a weekend claim does not refill the pool").isZero();

        clock.advance(Duration.ofDays(2).minus(Duration.ofHours(9))); // Monday 09:01
        assertThat(settle(2, 4, weekdays).launch()).as("back when the hours begin").isEqualTo(4);
        assertThat(warmCount()).as("minSize running").isEqualTo(2);
    }

    @Test
    void stopAfterInitializationKeepsEveryWarmInstanceStoppedAndAClaimTakesAStoppedOne() {
        stopAfterInitialization = true;
        settle(1, 2);
        assertThat(warmCount()).isZero();
        assertThat(stoppedCount()).isEqualTo(2);
        claim();
        assertThat(rows).filteredOn(InstanceRow::claimed).hasSize(1);
        ReconcilePlan refill = settle(1, 2);
        assertThat(refill.start()).as("nothing is started for the pool").isEmpty();
        assertThat(refill.launch()).as("the claimed one is replaced, and stopped after its initialization").isEqualTo(1);
        assertThat(stoppedCount()).isEqualTo(2);
    }

    @Test
    void aStoppedInstanceWhoseContainerVanishedOrWhoseStopWasInterruptedIsRemoved() {
        stopAfterInitialization = true;
        settle(1, 2);
        InstanceRow gone = rows.get(0);
        stopped.remove(gone.name());
        InstanceRow half = rows.get(1);
        rows.set(1, new InstanceRow(half.name(), half.poolId(), half.projectId(), half.snapshotId(), half.state(), false, half.address(), null,
                half.createdAt(), half.readyAt(), true, null));
        ReconcilePlan plan = pass(1, 2);
        assertThat(plan.remove()).extracting(InstanceRow::name).containsExactlyInAnyOrder(gone.name(), half.name());
        assertThat(plan.launch()).isEqualTo(2);
    }
}
