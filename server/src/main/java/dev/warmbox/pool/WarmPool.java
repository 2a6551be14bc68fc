package dev.warmbox.pool;

import dev.warmbox.sandbox.Health;
import dev.warmbox.sandbox.Language;
import dev.warmbox.sandbox.Sandbox;
import dev.warmbox.sandbox.SandboxException;
import dev.warmbox.sandbox.Sandboxes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandboxes of one language. {@code owned} counts every sandbox the pool holds (ready, in use,
 * being scrubbed or health-checked); {@link #fill()} launches exactly the gap between the target and
 * what is owned or already launching, so concurrent fills never overshoot.
 *
 * <p>A request takes a ready sandbox, or queues for the next one coming back; fresh containers are
 * launched for the queue only when {@link AcquirePolicy} finds waiting slower. The target follows
 * demand ({@link PoolAutoscaler}): a container launched for the queue joins the pool after its scrub
 * while the pool is under its target, and sandboxes above the target are removed as they come back.
 */
final class WarmPool {
    private static final Logger log = LoggerFactory.getLogger(WarmPool.class);
    /** How often a queued request looks again whether a launch is due. */
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** A sandbox ready for a request; {@code warm} unless it was launched for the queue and never prepared. */
    record Ready(Sandbox sandbox, boolean warm) {}

    private final Language language;
    private final PoolAutoscaler autoscaler;
    private final AcquirePolicy policy;
    private final Duration ttl;
    private final Sandboxes sandboxes;
    private final Clock clock;
    private final ExecutorService workers;
    private final Semaphore launchPermits;

    private final Rendezvous<Ready> rendezvous = new Rendezvous<>();
    private final MeasuredCosts costs = new MeasuredCosts();
    private final DemandHistory demand;
    private final AtomicInteger owned = new AtomicInteger();
    private final AtomicInteger launching = new AtomicInteger();
    private final AtomicInteger leased = new AtomicInteger();
    private final AtomicInteger scrubbing = new AtomicInteger();
    /** Sandboxes out of the ready set for a health check: back in moments, like scrubbed ones. */
    private final AtomicInteger checking = new AtomicInteger();
    /** Guards owned/launching transitions and launch decisions. */
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock scaleLock = new ReentrantLock();
    final AtomicLong hits = new AtomicLong();
    final AtomicLong misses = new AtomicLong();
    final AtomicLong healthFailures = new AtomicLong();
    final AtomicLong launchFailures = new AtomicLong();
    final AtomicLong queueTimeouts = new AtomicLong();
    private volatile int target;
    private volatile boolean warmedOnce;
    private volatile boolean closed;

    WarmPool(Language language, PoolAutoscaler autoscaler, AcquirePolicy policy, Duration ttl, Sandboxes sandboxes,
             Clock clock, ExecutorService workers, Semaphore launchPermits) {
        this.language = language;
        this.autoscaler = autoscaler;
        this.policy = policy;
        this.ttl = ttl;
        this.sandboxes = sandboxes;
        this.clock = clock;
        this.workers = workers;
        this.launchPermits = launchPermits;
        this.demand = new DemandHistory(autoscaler.memorySeconds());
        this.target = autoscaler.floor();
        this.warmedOnce = autoscaler.floor() == 0;
    }

    Language language() {
        return language;
    }

    PoolView view() {
        int size = owned.get();
        int ready = rendezvous.readyCount();
        return new PoolView(language, autoscaler.floor(), autoscaler.ceiling(), target, size, ready,
                Math.max(0, size - ready), rendezvous.waiting(), hits.get(), misses.get(), healthFailures.get(),
                launchFailures.get(), queueTimeouts.get());
    }

    /** Whether the pool has reached its floor at least once since start-up. */
    boolean warmedOnce() {
        return warmedOnce;
    }

    /**
     * A sandbox for one execution: a ready one, else the next one coming back or launched for the
     * queue, whichever comes first.
     *
     * @throws PoolExhausted    when none came within {@code timeout}
     * @throws SandboxException when a launch failed and nothing else could serve the request
     */
    Lease acquire(Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        Rendezvous.Waiter<Ready> waiter = rendezvous.take();
        observeDemand();
        if (!waiter.handed.isDone()) launchForQueue();
        Ready ready = awaitTurn(waiter, start, timeout);
        leased.incrementAndGet();
        (ready.warm() ? hits : misses).incrementAndGet();
        return new Lease(ready.sandbox(), this, ready.warm(), Duration.ofNanos(System.nanoTime() - start));
    }

    private Ready awaitTurn(Rendezvous.Waiter<Ready> waiter, long start, Duration timeout) throws InterruptedException {
        long deadline = start + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0 && rendezvous.leave(waiter)) {
                queueTimeouts.incrementAndGet();
                throw new PoolExhausted(language, timeout);
            }
            try {
                return waiter.handed.get(Math.max(0, Math.min(left, RECHECK_NANOS)), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                launchForQueue();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof SandboxException s ? s
                        : new SandboxException("no " + language.id() + " sandbox: " + e.getCause().getMessage(), e.getCause(), false);
            } catch (InterruptedException e) {
                // Handed a sandbox meanwhile: it goes back as it came.
                if (!rendezvous.leave(waiter) && !waiter.handed.isCompletedExceptionally()) offer(waiter.handed.join());
                throw e;
            }
        }
    }

    /** Takes a used sandbox back: scrubbed in the background and made ready, or removed. */
    void release(Sandbox sandbox, Duration held) {
        leased.decrementAndGet();
        costs.executed(held);
        returnToPool(sandbox);
    }

    /** Drops a sandbox that must not be used again (its agent is gone, or it failed a check). */
    void discard(Sandbox sandbox) {
        leased.decrementAndGet();
        healthFailures.incrementAndGet();
        retire(sandbox);
    }

    private void returnToPool(Sandbox sandbox) {
        scrubbing.incrementAndGet();
        workers.execute(() -> {
            try {
                if (closed || expired(sandbox)) {
                    retire(sandbox);
                } else if (takeIfSurplus()) {
                    sandboxes.destroy(sandbox);
                } else {
                    long start = System.nanoTime();
                    boolean clean = sandboxes.reset(sandbox);
                    costs.scrubbed(Duration.ofNanos(System.nanoTime() - start));
                    if (clean) {
                        offer(new Ready(sandbox, true));
                    } else {
                        healthFailures.incrementAndGet();
                        retire(sandbox);
                    }
                }
            } finally {
                scrubbing.decrementAndGet();
            }
        });
    }

    /** Launches, in the background, exactly the sandboxes missing from the target. */
    void fill() {
        lock.lock();
        try {
            if (closed) return;
            int gap = target - owned.get() - launching.get();
            for (int i = 0; i < gap; i++) {
                launching.incrementAndGet();
                workers.execute(() -> launchOne(true));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Launches what {@link AcquirePolicy} finds faster than waiting for the queued requests. */
    private void launchForQueue() {
        lock.lock();
        try {
            if (closed) return;
            var queue = new AcquirePolicy.Queue(rendezvous.waited(), leased.get(), scrubbing.get() + checking.get(),
                    launching.get());
            int launches = policy.launches(queue, costs.snapshot());
            for (int i = 0; i < launches; i++) {
                launching.incrementAndGet();
                workers.execute(() -> launchOne(false));
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Follows demand: observes it (and, unless NaN, how busy the CPUs were since the last reading),
     * moves the target, removes ready sandboxes above it, and launches up to it when it grew.
     */
    void rescale(double cpuBusy) {
        observeDemand();
        int before;
        scaleLock.lock();
        try {
            if (!Double.isNaN(cpuBusy)) demand.observeCpu(clock.instant(), cpuBusy);
            before = target;
            target = autoscaler.target(target, demand, clock.instant());
        } finally {
            scaleLock.unlock();
        }
        for (Ready ready; owned.get() > target && (ready = rendezvous.pollReady()) != null; ) {
            Sandbox sandbox = ready.sandbox();
            if (takeIfSurplus()) {
                workers.execute(() -> sandboxes.destroy(sandbox));
            } else {
                offer(ready);
            }
        }
        // Only growth launches here: refills of failed launches wait for the housekeeper's round, so an
        // engine that is away is not asked for a container four times a second.
        if (target > before) fill();
    }

    private void observeDemand() {
        scaleLock.lock();
        try {
            // The time first, then the demand, both under the lock: a sample taken before a pause and
            // stamped after it would carry a finished burst into a later second (seen with two scalers
            // on a loaded machine: the pool held at the burst's size past its scale-down window).
            Instant at = clock.instant();
            demand.observe(at, leased.get() + scrubbing.get() + rendezvous.waiting());
        } finally {
            scaleLock.unlock();
        }
    }

    /** How many sandboxes are ready now: a housekeeping round checks this many, one {@link #checkNextIdle()} each. */
    int idleCount() {
        return rendezvous.readyCount();
    }

    /**
     * Checks the least recently used ready sandbox: recycled when expired, replaced when unhealthy, else
     * ready again. Under check it is out of the ready set, so no request can get it meanwhile; one that
     * comes back after a request queued goes to that request.
     */
    void checkNextIdle() {
        if (closed) return;
        checking.incrementAndGet();
        try {
            Ready ready = rendezvous.pollReady();
            if (ready != null) check(ready);
        } finally {
            checking.decrementAndGet();
        }
    }

    /** The rest of a housekeeping round, after its health checks: follows demand and refills what was removed. */
    void maintain() {
        rescale(Double.NaN); // the CPU is read by the scaler's ticks only
        fill();
    }

    private void check(Ready ready) {
        Sandbox sandbox = ready.sandbox();
        if (expired(sandbox)) {
            log.info("{} reached its TTL of {} s; recycling it", sandbox, ttl.toSeconds());
            retire(sandbox);
            return;
        }
        Health health;
        try {
            health = sandboxes.check(sandbox);
        } catch (RuntimeException e) {
            // Out of the ready set and owned: it must go back or be replaced, never be lost.
            health = Health.failed("the check itself failed: " + e.getMessage());
        }
        if (health.healthy()) {
            offer(ready);
        } else {
            log.warn("{} failed its health check ({}); replacing it", sandbox, health.reason());
            healthFailures.incrementAndGet();
            retire(sandbox);
        }
    }

    /** Stops launching, fails queued requests and removes every ready sandbox. */
    void close() {
        closed = true;
        for (Ready ready : rendezvous.close(new SandboxException("the server is shutting down; no " + language.id() + " sandbox"))) {
            owned.decrementAndGet();
            sandboxes.destroy(ready.sandbox());
        }
    }

    /** In-flight work (executions, launches and scrubs) still running. */
    int busy() {
        return leased.get() + launching.get() + scrubbing.get();
    }

    private void launchOne(boolean probe) {
        Sandbox sandbox = null;
        RuntimeException failure = null;
        long start = System.nanoTime();
        try {
            launchPermits.acquire();
            try {
                sandbox = sandboxes.launch(language, probe);
                costs.launched(Duration.ofNanos(System.nanoTime() - start));
            } finally {
                launchPermits.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
            launchFailures.incrementAndGet();
            log.warn("warm pool {} could not launch a container: {}", language.id(), e.getMessage());
        }
        // From launching to owned in one step under the lock: a fill in between would otherwise count
        // this sandbox twice and launch one too few.
        lock.lock();
        try {
            launching.decrementAndGet();
            if (sandbox != null) owned.incrementAndGet();
            // Nothing else can serve the queue: its first request gets the failure rather than a long wait.
            if (failure != null && launching.get() == 0 && owned.get() == 0) {
                rendezvous.failFirst(new SandboxException(failure.getMessage(), failure, false));
            }
        } finally {
            lock.unlock();
        }
        if (sandbox == null) return;
        if (owned.get() >= autoscaler.floor()) warmedOnce = true;
        if (probe) {
            offer(new Ready(sandbox, true));
        } else if (!rendezvous.offerToWaiter(new Ready(sandbox, false))) {
            returnToPool(sandbox); // nobody waits any more: prepared like a returned one, then ready
        }
    }

    /** Makes a sandbox ready; one that comes back after {@link #close()} is removed instead. */
    private void offer(Ready ready) {
        if (!rendezvous.offer(ready)) retire(ready.sandbox());
    }

    /** Counts one sandbox out when the pool holds more than its target; the caller then removes it. */
    private boolean takeIfSurplus() {
        int limit = target;
        return owned.getAndUpdate(n -> n > limit ? n - 1 : n) > limit;
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
