package dev.warmbox.pool;

import dev.warmbox.sandbox.Sandbox;

/**
 * A sandbox lent to one execution. Closing it gives the sandbox back: a pool's sandbox is scrubbed
 * and returned, a fresh one (a miss) is removed.
 */
public final class Lease implements AutoCloseable {
    private final Sandbox sandbox;
    private final WarmPool pool;
    private final Runnable removeFresh;
    private boolean broken;
    private boolean closed;

    Lease(Sandbox sandbox, WarmPool pool, Runnable removeFresh) {
        this.sandbox = sandbox;
        this.pool = pool;
        this.removeFresh = removeFresh;
    }

    public Sandbox sandbox() {
        return sandbox;
    }

    /** True when the sandbox came warm from the pool. */
    public boolean hit() {
        return pool != null;
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
            pool.release(sandbox);
        }
    }
}
