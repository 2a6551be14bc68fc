package dev.warmbox.pool;

import java.time.Duration;

/**
 * What one sandbox of a runtime costs in time, as measured lately: an execution (from hand-out to
 * return), a scrub (from return to available again) and a launch (to a sandbox that answers).
 */
record Costs(Duration execution, Duration scrub, Duration launch) {
    /** Before anything was measured: a short execution, a quick scrub, a slow launch, so early requests wait rather than launch. */
    static final Costs ASSUMED = new Costs(Duration.ofMillis(100), Duration.ofMillis(20), Duration.ofSeconds(1));

    /** One turn of a pool sandbox: an execution and the scrub after it (never zero). */
    Duration cycle() {
        Duration cycle = execution.plus(scrub);
        return cycle.isZero() ? Duration.ofMillis(1) : cycle;
    }
}
