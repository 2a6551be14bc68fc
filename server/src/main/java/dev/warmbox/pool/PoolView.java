package dev.warmbox.pool;

import dev.warmbox.sandbox.Language;

/**
 * A consistent-enough reading of one pool for status and metrics.
 *
 * @param minSize       the floor (WARM_POOL_SIZE_PER_RUNTIME or the runtime's size)
 * @param maxSize       the ceiling (WARM_POOL_MAX_SIZE_PER_RUNTIME or the runtime's maximum)
 * @param targetSize    what the pool holds now by demand, between the two
 * @param size          sandboxes held: available plus in use
 * @param waiting       requests queued for a sandbox
 * @param queueTimeouts requests refused because none became free in time
 */
public record PoolView(
        Language language, int minSize, int maxSize, int targetSize, int size, int available, int inUse, int waiting,
        long hits, long misses, long healthFailures, long launchFailures, long queueTimeouts) {}
