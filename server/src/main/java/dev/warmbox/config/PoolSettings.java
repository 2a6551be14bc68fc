package dev.warmbox.config;

import java.time.Duration;
import java.util.Map;

/**
 * The warm pools, under the seed's variable names.
 *
 * @param sizes           the floor per runtime name (python, javascript, go, java): the pool never holds fewer
 * @param maxSizes        the ceiling per runtime name: the pool grows with demand up to it
 * @param acquireWait     how long a queued request waits, at the least, for a sandbox coming back before a
 *                        fresh container is launched for it (the measured launch time counts too)
 * @param queueTimeout    how long a request waits in the queue at most; then it is refused with Retry-After
 * @param maxConcurrentHealthChecks health checks of idle sandboxes run side by side in a round, at most this
 *                        many at once, so one that stalls to its timeout delays none of the others
 * @param scaleUpWindow   how long demand must stay high before a pool grows to it
 * @param scaleDownWindow how long demand must stay low before a pool shrinks to it
 */
public record PoolSettings(
        boolean enabled,
        Map<String, Integer> sizes,
        Map<String, Integer> maxSizes,
        Duration containerTtl,
        Duration healthCheckInterval,
        Duration gracefulShutdown,
        Duration acquireWait,
        Duration queueTimeout,
        int maxConcurrentLaunches,
        int maxConcurrentHealthChecks,
        Duration scaleUpWindow,
        Duration scaleDownWindow) {

    public PoolSettings {
        sizes = Map.copyOf(sizes);
        maxSizes = Map.copyOf(maxSizes);
        for (var size : sizes.entrySet()) {
            int max = maxSizes.getOrDefault(size.getKey(), size.getValue());
            if (max < size.getValue()) {
                throw new ConfigException("the maximum size of the " + size.getKey() + " pool (" + max
                        + ") is below its size (" + size.getValue() + "); raise WARM_POOL_MAX_SIZE_PER_RUNTIME or the runtime's MAX_SIZE");
            }
        }
        if (scaleUpWindow.toSeconds() < 1 || scaleDownWindow.toSeconds() < 1) {
            throw new ConfigException("the pool scaling windows must be at least one second");
        }
    }

    public int sizeOf(String runtime) {
        return enabled ? sizes.getOrDefault(runtime, 0) : 0;
    }

    public int maxSizeOf(String runtime) {
        return enabled ? maxSizes.getOrDefault(runtime, sizeOf(runtime)) : 0;
    }
}
