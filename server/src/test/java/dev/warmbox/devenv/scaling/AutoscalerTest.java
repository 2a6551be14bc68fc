package dev.warmbox.devenv.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The autoscaler on a simulated clock: each test walks time forward and feeds back the last target. */
class AutoscalerTest {
    private static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");
    private static final Autoscaler SCALER = Autoscaler.DEFAULTS;

    /** A pool and its history: claims so far, the current target, and the simulated now. */
    private static final class Simulation {
        final Autoscaler.Pool pool;
        final List<Instant> claims = new ArrayList<>();
        final List<Integer> targets = new ArrayList<>();
        Instant now = T0;
        int target = -1;

        Simulation(int min, int max) {
            this(new Autoscaler.Pool(min, max, T0, null));
        }

        Simulation(Autoscaler.Pool pool) {
            this.pool = pool;
            step();
        }

        /** Advances by {@code duration} in 10-second ticks, claiming every {@code claimEvery} (null: none). */
        Simulation run(Duration duration, Duration claimEvery) {
            Instant end = now.plus(duration);
            Instant nextClaim = claimEvery == null ? null : now.plus(claimEvery);
            while (now.isBefore(end)) {
                now = now.plusSeconds(10);
                while (nextClaim != null && !nextClaim.isAfter(now)) {
                    claims.add(nextClaim);
                    nextClaim = nextClaim.plus(claimEvery);
                }
                step();
            }
            return this;
        }

        void step() {
            target = SCALER.target(pool, target, claims, now);
            targets.add(target);
        }
    }

    @Test
    void withoutDemandThePoolStaysAtItsMinimum() {
        Simulation s = new Simulation(1, 5).run(Duration.ofHours(2), null);
        assertThat(s.targets).containsOnly(1);
    }

    @Test
    void sustainedDemandScalesOutStepByStepUpToTheMaximumAndNeverBeyond() {
        Simulation s = new Simulation(1, 5).run(Duration.ofMinutes(20), Duration.ofSeconds(30));
        assertThat(s.target).isEqualTo(5);
        assertThat(s.targets).isSorted().allSatisfy(t -> assertThat(t).isBetween(1, 5));
    }

    @Test
    void oneOrTwoClaimsDoNotScaleOut() {
        Simulation s = new Simulation(1, 5);
        s.claims.add(T0.plusSeconds(5));
        s.claims.add(T0.plusSeconds(65));
        s.run(Duration.ofMinutes(30), null);
        assertThat(s.targets).containsOnly(1);
    }

    @Test
    void aBriefLullDoesNotScaleIn() {
        Simulation s = new Simulation(1, 5).run(Duration.ofMinutes(20), Duration.ofMinutes(2));
        int busy = s.target;
        assertThat(busy).as("5 claims per 10 minutes, 5 minutes to replenish: 2.5 expected, rounded up").isEqualTo(3);
        s.run(Duration.ofMinutes(5), null).run(Duration.ofMinutes(10), Duration.ofMinutes(2));
        assertThat(s.targets.subList(s.targets.size() - 90, s.targets.size())).as("through the lull and after").containsOnly(busy);
    }

    @Test
    void scaleInWaitsUntilDemandStayedLowForTheWholeWindow() {
        Simulation s = new Simulation(1, 5).run(Duration.ofMinutes(20), Duration.ofSeconds(30));
        int busy = s.target;
        int rising = s.targets.size();
        s.run(Duration.ofMinutes(14), null);
        assertThat(s.target).as("14 minutes after the last claim").isEqualTo(busy);
        s.run(Duration.ofMinutes(12), null);
        assertThat(s.target).as("26 minutes after: the demand window and the scale-in window have passed").isEqualTo(1);
        assertThat(s.targets.subList(rising, s.targets.size())).as("on the way down it never went up again")
                .isSortedAccordingTo(java.util.Comparator.reverseOrder());
    }

    @Test
    void theTargetDoesNotFlickerAsInstancesAreClaimedAndBackfilled() {
        Simulation s = new Simulation(1, 5).run(Duration.ofMinutes(20), Duration.ofSeconds(30));
        long changes = 0;
        for (int i = 1; i < s.targets.size(); i++) if (!s.targets.get(i).equals(s.targets.get(i - 1))) changes++;
        assertThat(changes).as("from 1 to 5 one step at a time, each change a step up: never back and forth").isEqualTo(4);
    }

    @Test
    void aPoolThatMayScaleToZeroEmptiesAfterTheIdleGuard() {
        Simulation s = new Simulation(0, 3).run(Duration.ofMinutes(29), null);
        assertThat(s.targets).as("a new pool keeps one instance during the guard").containsOnly(1);
        s.run(Duration.ofMinutes(2), null);
        assertThat(s.target).isZero();
    }

    @Test
    void aClaimRestartsTheIdleGuardAndDemandBringsThePoolBack() {
        Simulation s = new Simulation(0, 3).run(Duration.ofMinutes(40), null);
        assertThat(s.target).isZero();
        s.claims.add(s.now.plusSeconds(1));
        s.run(Duration.ofSeconds(10), null);
        assertThat(s.target).as("the first claim after idling was a cold start; the pool comes back").isEqualTo(1);
        s.run(Duration.ofMinutes(29), null);
        assertThat(s.target).isEqualTo(1);
        s.run(Duration.ofMinutes(2), null);
        assertThat(s.target).isZero();
    }

    @Test
    void outsideActiveHoursThePoolIsEmptyWhateverItsMinimum() {
        ActiveHours hours = ActiveHours.of("0 9-18 * * 1-5", "UTC");
        Simulation s = new Simulation(new Autoscaler.Pool(2, 4, T0.minus(Duration.ofHours(1)), hours));
        assertThat(s.target).as("09:00 Monday").isEqualTo(2);
        s.run(Duration.ofHours(9).plusMinutes(1), null);
        assertThat(s.target).as("18:01").isZero();
        s.run(Duration.ofHours(15), null);
        assertThat(s.target).as("09:01 Tuesday").isEqualTo(2);
    }

    @Test
    void theFirstDecisionWithoutAStoredTargetIsTheRecommendation() {
        List<Instant> claims = new ArrayList<>();
        for (int i = 0; i < 10; i++) claims.add(T0.minusSeconds(30L * i));
        assertThat(SCALER.target(new Autoscaler.Pool(1, 5, T0.minus(Duration.ofDays(1)), null), -1, claims, T0)).isEqualTo(5);
    }

    @Test
    void claimsAtTheSameInstantEachCount() {
        List<Instant> burst = java.util.Collections.nCopies(6, T0);
        Autoscaler.Pool pool = new Autoscaler.Pool(1, 5, T0.minusSeconds(3600), null);
        assertThat(SCALER.target(pool, -1, burst, T0)).as("6 claims x 5 min / 10 min, as if they were apart").isEqualTo(3);
    }
}
