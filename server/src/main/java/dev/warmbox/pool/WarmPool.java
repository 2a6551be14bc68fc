package dev.warmbox.pool;

import dev.warmbox.sandbox.Health;
import dev.warmbox.sandbox.Language;
import dev.warmbox.sandbox.Sandbox;
import dev.warmbox.sandbox.Sandboxes;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm containers of one language. {@code owned} counts every sandbox the pool holds (idle, in
 * use, being scrubbed or health-checked); {@link #fill()} launches exactly the gap between the target
 * and what is owned or already launching, so concurrent fills never overshoot.
 */
final class WarmPool {
    private static final Logger log = LoggerFactory.getLogger(WarmPool.class);

    private final Language language;
    private final int targetSize;
    private final Duration ttl;
    private final Sandboxes sandboxes;
    private final Clock clock;
    private final ExecutorService workers;
    private final Semaphore launchPermits;

    private final BlockingDeque<Sandbox> idle = new LinkedBlockingDeque<>();
    private final AtomicInteger owned = new AtomicInteger();
    private final AtomicInteger launching = new AtomicInteger();
    private final AtomicInteger scrubbing = new AtomicInteger();
    /** Sandboxes out of the available set for a health check: back in moments, like scrubbed ones. */
    private final AtomicInteger checking = new AtomicInteger();
    private final ReentrantLock fillLock = new ReentrantLock();
    final AtomicLong hits = new AtomicLong();
    final AtomicLong misses = new AtomicLong();
    final AtomicLong healthFailures = new AtomicLong();
    final AtomicLong launchFailures = new AtomicLong();
    private volatile boolean warmedOnce;
    private volatile boolean closed;

    WarmPool(Language language, int targetSize, Duration ttl, Sandboxes sandboxes, Clock clock,
             ExecutorService workers, Semaphore launchPermits) {
        this.language = language;
        this.targetSize = targetSize;
        this.ttl = ttl;
        this.sandboxes = sandboxes;
        this.clock = clock;
        this.workers = workers;
        this.launchPermits = launchPermits;
        this.warmedOnce = targetSize == 0;
    }

    Language language() {
        return language;
    }

    int targetSize() {
        return targetSize;
    }

    /** Containers held by the pool: available plus in use (including those being scrubbed). */
    int size() {
        return owned.get();
    }

    int available() {
        return idle.size();
    }

    int inUse() {
        return Math.max(0, owned.get() - idle.size());
    }

    /** Whether the pool has reached its target at least once since start-up. */
    boolean warmedOnce() {
        return warmedOnce;
    }

    /**
     * A ready sandbox, or empty when none is free. Waits up to {@code wait} only when a sandbox is being
     * scrubbed or health-checked and will be back in moments; otherwise a fresh container (a miss) is the
     * faster answer.
     */
    Optional<Sandbox> acquire(Duration wait) throws InterruptedException {
        Sandbox sandbox = idle.pollFirst();
        if (sandbox == null && scrubbing.get() + checking.get() > 0 && !wait.isZero()) {
            sandbox = idle.pollFirst(wait.toNanos(), TimeUnit.NANOSECONDS);
        }
        return Optional.ofNullable(sandbox);
    }

    /** Takes a used sandbox back: scrubbed in the background and made available, or recycled. */
    void release(Sandbox sandbox) {
        scrubbing.incrementAndGet();
        workers.execute(() -> {
            try {
                if (closed || expired(sandbox)) {
                    retire(sandbox);
                } else if (sandboxes.reset(sandbox)) {
                    offer(sandbox);
                } else {
                    healthFailures.incrementAndGet();
                    retire(sandbox);
                }
            } finally {
                scrubbing.decrementAndGet();
            }
        });
    }

    /** Drops a sandbox that must not be used again (its agent is gone, or it failed a check). */
    void discard(Sandbox sandbox) {
        healthFailures.incrementAndGet();
        retire(sandbox);
    }

    /** Launches, in the background, exactly the sandboxes missing from the target size. */
    void fill() {
        fillLock.lock();
        try {
            if (closed) return;
            int gap = targetSize - owned.get() - launching.get();
            for (int i = 0; i < gap; i++) {
                launching.incrementAndGet();
                workers.execute(this::launchOne);
            }
        } finally {
            fillLock.unlock();
        }
    }

    /**
     * Checks every available sandbox once: expired ones are recycled, unhealthy ones replaced. A sandbox
     * under check is taken out of the available set, so no request can get it meanwhile.
     */
    void maintain() {
        for (int n = idle.size(); n > 0 && !closed; n--) {
            checking.incrementAndGet();
            try {
                Sandbox sandbox = idle.pollFirst();
                if (sandbox == null) break;
                check(sandbox);
            } finally {
                checking.decrementAndGet();
            }
        }
        fill();
    }

    private void check(Sandbox sandbox) {
        if (expired(sandbox)) {
            log.info("{} reached its TTL of {} s; recycling it", sandbox, ttl.toSeconds());
            retire(sandbox);
            return;
        }
        Health health = sandboxes.check(sandbox);
        if (health.healthy()) {
            offer(sandbox);
        } else {
            log.warn("{} failed its health check ({}); replacing it", sandbox, health.reason());
            discard(sandbox);
        }
    }

    /** Stops launching and hands back every available sandbox for removal. */
    void close() {
        closed = true;
        for (Sandbox sandbox; (sandbox = idle.pollFirst()) != null; ) {
            owned.decrementAndGet();
            sandboxes.destroy(sandbox);
        }
    }

    /** In-flight work (launches and scrubs) still running. */
    int busy() {
        return launching.get() + scrubbing.get();
    }

    private void launchOne() {
        Sandbox sandbox = null;
        try {
            launchPermits.acquire();
            try {
                sandbox = sandboxes.launch(language, true);
            } finally {
                launchPermits.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            launchFailures.incrementAndGet();
            log.warn("warm pool {} could not launch a container: {}", language.id(), e.getMessage());
        }
        // From launching to owned in one step under fill's lock: a fill in between would otherwise
        // count this sandbox twice and launch one too few.
        fillLock.lock();
        try {
            launching.decrementAndGet();
            if (sandbox != null) owned.incrementAndGet();
        } finally {
            fillLock.unlock();
        }
        if (sandbox != null) {
            offer(sandbox);
            if (owned.get() >= targetSize) warmedOnce = true;
        }
    }

    /** Makes a sandbox available; one that comes back after {@link #close()} is removed instead. */
    private void offer(Sandbox sandbox) {
        idle.offerLast(sandbox);
        if (closed) close();
    }

    private void retire(Sandbox sandbox) {
        owned.decrementAndGet();
        sandboxes.destroy(sandbox);
        fill();
    }

    private boolean expired(Sandbox sandbox) {
        return !clock.instant().isBefore(sandbox.createdAt().plus(ttl));
    }
}
