package dev.warmbox.pool;

import java.time.Instant;

/**
 * How many sandboxes a runtime's pool holds, from its observed demand: within {@code floor..ceiling},
 * the target rises to the demand sustained over the whole scale-up window (every second of it had at
 * least that peak) and falls only to the highest peak of the scale-down window, so a burst grows the
 * pool within seconds while a lull shorter than the scale-down window changes nothing. A pure
 * function of the history and the time, like the development-environment autoscaler.
 *
 * @param floor            WARM_POOL_SIZE_PER_RUNTIME or the runtime's size: the pool never holds fewer
 * @param ceiling          WARM_POOL_MAX_SIZE_PER_RUNTIME or the runtime's maximum
 * @param scaleUpSeconds   how long demand must stay high before the pool grows to it
 * @param scaleDownSeconds how long demand must stay low before the pool shrinks to it
 */
record PoolAutoscaler(int floor, int ceiling, int scaleUpSeconds, int scaleDownSeconds) {

    PoolAutoscaler {
        if (floor < 0 || ceiling < floor) {
            throw new IllegalArgumentException("pool bounds must be 0 <= floor <= ceiling, got " + floor + ".." + ceiling);
        }
        if (scaleUpSeconds < 1 || scaleDownSeconds < 1) {
            throw new IllegalArgumentException("scaling windows must be at least one second");
        }
    }

    /** The seconds of history a decision looks at. */
    int memorySeconds() {
        return Math.max(scaleUpSeconds, scaleDownSeconds);
    }

    int target(int current, DemandHistory history, Instant now) {
        int sustained = history.lowestPeak(now, scaleUpSeconds);
        int recent = history.highestPeak(now, scaleDownSeconds);
        int next = sustained > current ? sustained : Math.min(current, recent);
        return Math.max(floor, Math.min(ceiling, next));
    }
}
