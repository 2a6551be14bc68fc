package dev.warmbox.pool;

import java.time.Duration;

/**
 * Running averages of a runtime's measured costs (exponentially weighted, so the recent past counts
 * most and a change of workload shows within a few dozen executions). Thread-safe.
 */
final class MeasuredCosts {
    private static final double WEIGHT = 0.2;

    private double executionNanos = Costs.ASSUMED.execution().toNanos();
    private double scrubNanos = Costs.ASSUMED.scrub().toNanos();
    private double launchNanos = Costs.ASSUMED.launch().toNanos();
    private boolean launchMeasured;

    synchronized void executed(Duration took) {
        executionNanos = average(executionNanos, took);
    }

    synchronized void scrubbed(Duration took) {
        scrubNanos = average(scrubNanos, took);
    }

    /** The first launch replaces the assumption outright: it is far off in both directions on some machines. */
    synchronized void launched(Duration took) {
        launchNanos = launchMeasured ? average(launchNanos, took) : took.toNanos();
        launchMeasured = true;
    }

    synchronized Costs snapshot() {
        return new Costs(Duration.ofNanos((long) executionNanos), Duration.ofNanos((long) scrubNanos),
                Duration.ofNanos((long) launchNanos));
    }

    private static double average(double current, Duration sample) {
        return current + WEIGHT * (Math.max(0, sample.toNanos()) - current);
    }
}
