package dev.warmbox.pool;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one housekeeping round's health checks side by side, at most {@code bound} at once, on virtual
 * threads named {@code warmbox-health-check-N}. A check that stalls to its timeout (a paused container)
 * holds one permit, not the round: the others go on past it. Each check fails alone.
 */
final class HealthChecks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthChecks.class);
    /** Longer than a check can take (the agent's 5 s, then one inspect), so closing does not cut one short. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final Semaphore permits;
    private final ExecutorService threads =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("warmbox-health-check-", 0).factory());

    HealthChecks(int bound) {
        this.permits = new Semaphore(bound);
    }

    /**
     * Runs every check and returns when all have finished. A check starts only once a permit is free, so
     * each takes its sandbox out of the ready set only when it can be checked at once.
     */
    void runAll(List<Runnable> checks) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(checks.size());
        for (Runnable check : checks) {
            permits.acquire();
            try {
                threads.execute(() -> {
                    try {
                        check.run();
                    } catch (Throwable t) {
                        log.error("a health check failed; the other checks of the round go on", t);
                    } finally {
                        permits.release();
                        done.countDown();
                    }
                });
            } catch (RejectedExecutionException e) {
                permits.release();
                return; // closed: the pools are shutting down
            }
        }
        done.await();
    }

    /** Interrupts the checks in flight (their sandboxes go back, or are removed by a closed pool) and waits for them. */
    @Override
    public void close() {
        threads.shutdownNow();
        try {
            if (!threads.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("health checks still running {} s after shutdown; leaving them", CLOSE_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
