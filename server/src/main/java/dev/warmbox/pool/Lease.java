package dev.warmbox.pool;

import dev.warmbox.sandbox.Sandbox;
import java.time.Duration;

/**
 * A sandbox lent to one execution. Closing it gives the sandbox back: a pool's sandbox is scrubbed
 * and returned (or removed when the pool holds more than its target), a container launched with
 * pools disabled is removed.
 */
public final class Lease implements AutoCloseable {
    private final Sandbox sandbox;
    private final WarmPool pool;
    private final Runnable removeFresh;
    private final boolean hit;
    private final Duration waited;
    private final long leasedAt = System.nanoTime();
    private boolean broken;
    private boolean closed;

    Lease(Sandbox sandbox, WarmPool pool, boolean hit, Duration waited) {
        this(sandbox, pool, null, hit, waited);
    }

    /** A container of no pool (pools disabled): removed when the lease closes. */
    static Lease unpooled(Sandbox sandbox, Runnable remove, Duration waited) {
        return new Lease(sandbox, null, remove, false, waited);
    }

    private Lease(Sandbox sandbox, WarmPool pool, Runnable removeFresh, boolean hit, Duration waited) {
        this.sandbox = sandbox;
        this.pool = pool;
        this.removeFresh = removeFresh;
        this.hit = hit;
        this.waited = waited;
    }

    public Sandbox sandbox() {
        return sandbox;
    }

    /** True when the sandbox was warm: it had been prepared in the pool before this request took it. */
    public boolean hit() {
        return hit;
    }

    /** How long the request waited for the sandbox (queued, or for a launch). */
    public Duration waited() {
        return waited;
    }

    /** Marks the sandbox unusable: it is replaced instead of scrubbed when the lease closes. */
    public void markBroken() {
        broken = true;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (pool == null) {
            removeFresh.run();
        } else if (broken) {
            pool.discard(sandbox);
        } else {
            pool.release(sandbox, Duration.ofNanos(System.nanoTime() - leasedAt));
        }
    }
}
