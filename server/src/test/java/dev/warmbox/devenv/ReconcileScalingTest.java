package dev.warmbox.devenv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmbox.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
    private final List<Instant> claims = new ArrayList<>();
    private int counter;
    private int stored = -1;

    private static PoolRecord pool(int min, int max, PoolRecord.Schedule schedule, int desired) {
        return new PoolRecord("pool", "project", "class", "org", "runner", PoolRecord.READY, min, max, null,
                PoolRecord.ReleasePolicy.RELEASE_POLICY_DESTROY, "s1", 1, PoolRecord.READY, null, 1, false, CREATED.toString(),
                CREATED.toString(), schedule, false, desired);
    }

    /** One pass: decide from what is stored, then do what the reconciler would (launch, remove, store the target). */
    private ReconcilePlan pass(int min, int max, PoolRecord.Schedule schedule) {
        ReconcilePlan plan = ReconcilePlan.decide(pool(min, max, schedule, stored), rows, running, Set.of(), LaunchHealth.OK,
                new ReconcilePlan.Demand(Autoscaler.DEFAULTS, claims), clock.instant());
        rows.removeAll(plan.remove());
        for (int i = 0; i < plan.launch(); i++) warm();
        stored = plan.desiredSize();
        return plan;
    }

    private ReconcilePlan pass(int min, int max) {
        return pass(min, max, PoolRecord.Schedule.ALWAYS);
    }

    private InstanceRow warm() {
        counter++;
        InstanceRow row = new InstanceRow("i" + counter, "pool", "project", "s1", InstanceRow.WARM, true, "10.0.0." + counter, null,
                clock.instant().plusMillis(counter).toString(), null);
        rows.add(row);
        running.add(row.name());
        return row;
    }

    /** A claim as the claim transaction makes it: a warm instance becomes the environment's, and its time is recorded. */
    private void claim() {
        claims.add(clock.instant());
        rows.stream().filter(r -> r.state().equals(InstanceRow.WARM)).findFirst().ifPresent(r -> {
            rows.set(rows.indexOf(r), new InstanceRow(r.name(), r.poolId(), r.projectId(), r.snapshotId(), InstanceRow.CLAIMED, true,
                    r.address(), "env-" + r.name(), r.createdAt(), r.readyAt()));
        });
    }

    private long warmCount() {
        return rows.stream().filter(r -> r.state().equals(InstanceRow.WARM)).count();
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
        return pass(1, 5);
    }

    @Test
    void scalesOutOnlyUnderSustainedDemandAndInOnlyAfterDemandStayedLow() {
        assertThat(pass(1, 5).desiredSize()).as("no demand: minSize").isEqualTo(1);
        ReconcilePlan out = sixClaimsThenAMinute();
        assertThat(out.desiredSize()).as("6 claims per 10 min x 5 min lead time = 3, sustained for a minute").isEqualTo(3);
        assertThat(warmCount()).as("the pool launched up to the new target").isEqualTo(3);

        clock.advance(Duration.ofMinutes(10));
        ReconcilePlan lull = pass(1, 5);
        assertThat(lull.desiredSize()).as("the claims left the demand window, but a lull shorter than the scale-in window changes nothing")
                .isEqualTo(3);
        assertThat(lull.remove()).as("no churn").isEmpty();

        clock.advance(Duration.ofMinutes(15));
        ReconcilePlan in = pass(1, 5);
        assertThat(in.desiredSize()).as("demand stayed low for the whole scale-in window").isEqualTo(1);
        assertThat(in.remove()).as("the surplus is removed").hasSize(2);
        assertThat(warmCount()).isEqualTo(1);
    }

    @Test
    void desiredSizeStaysPutWhileInstancesAreClaimedAndBackfilled() {
        pass(1, 5);
        assertThat(sixClaimsThenAMinute().desiredSize()).isEqualTo(3);
        assertThat(warmCount()).isEqualTo(3);
        List<Integer> seen = new ArrayList<>();
        List<Integer> launched = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            claim();
            ReconcilePlan plan = pass(1, 5);
            seen.add(plan.desiredSize());
            launched.add(plan.launch());
            clock.advance(Duration.ofSeconds(2));
        }
        assertThat(seen).as("status.desiredSize does not flicker with claims").containsOnly(3);
        assertThat(launched).as("each claim is backfilled by exactly one launch").containsOnly(1);
        assertThat(warmCount()).isEqualTo(3);
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
        assertThat(pass(0, 3).desiredSize()).as("within the idle guard of its creation: one instance").isEqualTo(1);
        assertThat(warmCount()).isEqualTo(1);

        clock.advance(Duration.ofMinutes(29));
        ReconcilePlan guarded = pass(0, 3);
        assertThat(guarded.desiredSize()).as("30 min without a claim: empty").isZero();
        assertThat(warmCount()).isZero();

        clock.advance(Duration.ofHours(3));
        claims.add(clock.instant()); // a cold start: no warm instance to take
        ReconcilePlan back = pass(0, 3);
        assertThat(back.desiredSize()).as("demand came back").isEqualTo(1);
        assertThat(back.launch()).isEqualTo(1);

        clock.advance(Duration.ofMinutes(29));
        assertThat(pass(0, 3).desiredSize()).as("still within the guard of the last claim").isEqualTo(1);
        clock.advance(Duration.ofMinutes(1));
        assertThat(pass(0, 3).desiredSize()).isZero();
    }

    @Test
    void outsideItsActiveHoursThePoolIsEmpty() {
        PoolRecord.Schedule weekdays = new PoolRecord.Schedule("0 9-18 * * 1-5", "UTC");
        assertThat(pass(2, 4, weekdays).desiredSize()).as("Thursday 09:00").isEqualTo(2);
        assertThat(warmCount()).isEqualTo(2);

        clock.advance(Duration.ofHours(9).plusMinutes(1)); // 18:01
        ReconcilePlan evening = pass(2, 4, weekdays);
        assertThat(evening.desiredSize()).isZero();
        assertThat(evening.remove()).hasSize(2);

        clock.advance(Duration.ofDays(2)); // Saturday 18:01
        claims.add(clock.instant());
        assertThat(pass(2, 4, weekdays).launch()).as("a weekend claim does not refill the pool").isZero();

        clock.advance(Duration.ofDays(2).minus(Duration.ofHours(9))); // Monday 09:01
        assertThat(pass(2, 4, weekdays).launch()).as("back at minSize when the hours begin").isEqualTo(2);
    }
}
