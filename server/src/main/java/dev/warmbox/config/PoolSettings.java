package dev.warmbox.config;

import java.time.Duration;
import java.util.Map;

/**
 * The warm pools, under the seed's variable names.
 *
 * @param sizes        target size per runtime name (python, javascript, go, java)
 * @param acquireWait  how long a request waits for a container that is being scrubbed before it
 *                     falls back to a fresh one (a miss); zero disables the wait
 */
public record PoolSettings(
        boolean enabled,
        Map<String, Integer> sizes,
        Duration containerTtl,
        Duration healthCheckInterval,
        Duration gracefulShutdown,
        Duration acquireWait,
        int maxConcurrentLaunches) {

    public PoolSettings {
        sizes = Map.copyOf(sizes);
    }

    public int sizeOf(String runtime) {
        return enabled ? sizes.getOrDefault(runtime, 0) : 0;
    }
}
