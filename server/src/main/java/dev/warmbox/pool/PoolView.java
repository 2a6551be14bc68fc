package dev.warmbox.pool;

import dev.warmbox.sandbox.Language;

/** A consistent-enough reading of one pool for status and metrics. */
public record PoolView(
        Language language, int targetSize, int size, int available, int inUse,
        long hits, long misses, long healthFailures, long launchFailures) {}
