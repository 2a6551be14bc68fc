package dev.warmbox.pool;

import dev.warmbox.config.PoolSettings;
import dev.warmbox.sandbox.Language;
import dev.warmbox.sandbox.Sandbox;
import dev.warmbox.sandbox.Sandboxes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One warm pool per language, and the housekeeper that keeps them healthy, fresh and full.
 *
 * <p>Threads: background launches, scrubs and removals run on virtual threads named
 * {@code warmbox-pool-worker-N}; the housekeeper is one platform thread, {@code warmbox-housekeeper},
 * that runs every health-check interval and catches everything, with the round's health checks on
 * virtual threads named {@code warmbox-health-check-N} ({@link HealthChecks}); the scaler, {@code warmbox-pool-scaler},
 * moves each pool's target with its demand every 250 ms. All are stopped by {@link #close()}.
 */
public final class WarmPools implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WarmPools.class);
    /** How often the pools' targets follow demand: often enough that a burst is seen within its first second. */
    private static final long SCALE_MILLIS = 250;

    private final PoolSettings settings;
    private final DoubleSupplier cpuBusy;
    private final Sandboxes sandboxes;
    private final Map<Language, WarmPool> pools = new EnumMap<>(Language.class);
    private final ExecutorService workers =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("warmbox-pool-worker-", 0).factory());
    private final ScheduledExecutorService housekeeper = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("warmbox-housekeeper").daemon(true).unstarted(r));
    private final HealthChecks healthChecks;
    private final ScheduledExecutorService scaler = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("warmbox-pool-scaler").daemon(true).unstarted(r));

    public WarmPools(PoolSettings settings, Sandboxes sandboxes, Clock clock) {
        this(settings, sandboxes, clock, new HostCpu());
    }

    /** With {@code cpuBusy} telling how busy the machine's CPUs were since its last call (tests pass a fake). */
    WarmPools(PoolSettings settings, Sandboxes sandboxes, Clock clock, DoubleSupplier cpuBusy) {
        this.cpuBusy = cpuBusy;
        this.settings = settings;
        this.sandboxes = sandboxes;
        this.healthChecks = new HealthChecks(settings.maxConcurrentHealthChecks());
        Semaphore launchPermits = new Semaphore(settings.maxConcurrentLaunches());
        AcquirePolicy policy = new AcquirePolicy(settings.acquireWait(), settings.maxConcurrentLaunches());
        for (Language language : Language.values()) {
            var autoscaler = new PoolAutoscaler(settings.sizeOf(language.id()), settings.maxSizeOf(language.id()),
                    Math.toIntExact(settings.scaleUpWindow().toSeconds()), Math.toIntExact(settings.scaleDownWindow().toSeconds()));
            pools.put(language, new WarmPool(language, autoscaler, policy, settings.containerTtl(),
                    sandboxes, clock, workers, launchPermits));
        }
    }

    /** Removes what a previous run left behind, fills every pool in the background, starts the housekeeper. */
    public void start() {
        List<String> leftovers = sandboxes.removeLeftovers();
        if (!leftovers.isEmpty()) log.info("removed {} containers left by a previous run: {}", leftovers.size(), leftovers);
        pools.values().forEach(WarmPool::fill);
        long interval = settings.healthCheckInterval().toMillis();
        housekeeper.scheduleWithFixedDelay(this::housekeep, interval, interval, TimeUnit.MILLISECONDS);
        if (settings.enabled()) scaler.scheduleWithFixedDelay(this::rescale, SCALE_MILLIS, SCALE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * A sandbox for one execution: warm from the pool (a hit), else the next one coming back or a fresh
     * container launched for the queue (a miss), whichever is sooner. An empty pool is never a reason
     * to refuse; only a queue that did not move within WARM_POOL_QUEUE_TIMEOUT_MS is.
     *
     * @throws PoolExhausted when no sandbox became free within the queue timeout
     */
    public Lease acquire(Language language) throws InterruptedException {
        WarmPool pool = pools.get(language);
        if (settings.enabled()) return pool.acquire(settings.queueTimeout());
        pool.misses.incrementAndGet();
        long start = System.nanoTime();
        Sandbox fresh = sandboxes.launch(language, false);
        return Lease.unpooled(fresh, () -> workers.execute(() -> sandboxes.destroy(fresh)),
                Duration.ofNanos(System.nanoTime() - start));
    }

    public boolean enabled() {
        return settings.enabled();
    }

    /** Whether every pool reached its size at least once: the server is warm. */
    public boolean warm() {
        return pools.values().stream().allMatch(WarmPool::warmedOnce);
    }

    public PoolView view(Language language) {
        return pools.get(language).view();
    }

    public Collection<PoolView> views() {
        return pools.keySet().stream().map(this::view).toList();
    }

    /** Moves every pool's target with its demand now (the scaler does this every 250 ms). */
    public void rescale() {
        double busy = cpuBusy.getAsDouble();
        for (WarmPool pool : pools.values()) {
            try {
                pool.rescale(busy);
            } catch (Throwable t) {
                log.error("scaling warm pool {} failed; will retry", pool.language().id(), t);
            }
        }
    }

    /**
     * Runs one housekeeping round now (the housekeeper does this every interval): every idle sandbox of
     * every pool is checked, side by side up to WARM_POOL_MAX_CONCURRENT_HEALTH_CHECKS at once; then each
     * pool follows demand and refills, and strays are swept.
     */
    public void housekeep() {
        List<Runnable> checks = new ArrayList<>();
        for (WarmPool pool : pools.values()) {
            for (int n = pool.idleCount(); n > 0; n--) checks.add(pool::checkNextIdle);
        }
        try {
            healthChecks.runAll(checks);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // closing
        }
        for (WarmPool pool : pools.values()) {
            try {
                pool.maintain();
            } catch (Throwable t) {
                log.error("housekeeping of warm pool {} failed; will retry next interval", pool.language().id(), t);
            }
        }
        List<String> strays = sandboxes.sweepStrays();
        if (!strays.isEmpty()) log.info("removed {} stray containers: {}", strays.size(), strays);
    }

    /**
     * Stops the housekeeper, lets executions in flight finish within the graceful-shutdown period, then
     * removes every container this server owns.
     */
    @Override
    public void close() {
        scaler.shutdownNow();
        housekeeper.shutdownNow();
        healthChecks.close();
        pools.values().forEach(WarmPool::close);
        // Real elapsed time, not the domain clock: this bounds how long the process takes to stop.
        long deadline = System.nanoTime() + settings.gracefulShutdown().toNanos();
        while (System.nanoTime() < deadline && pools.values().stream().anyMatch(p -> p.busy() > 0)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        workers.shutdown();
        awaitQuietly(workers, Duration.ofSeconds(10));
        try {
            List<String> removed = sandboxes.removeLeftovers();
            if (!removed.isEmpty()) log.info("removed {} containers at shutdown", removed.size());
        } catch (RuntimeException e) {
            log.warn("could not remove every container at shutdown: {}", e.getMessage());
        }
    }

    private static void awaitQuietly(ExecutorService executor, Duration timeout) {
        try {
            if (!executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) executor.shutdownNow();
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
