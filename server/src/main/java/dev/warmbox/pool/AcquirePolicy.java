package dev.warmbox.pool;

import java.time.Duration;
import java.util.List;

/**
 * When no sandbox is free, whether the queued requests wait for sandboxes coming back or fresh
 * containers are launched for them. Pure: decided from the queue and the measured {@link Costs}.
 *
 * <p>A fresh container is ready after a launch; by then the sandboxes coming back serve some of the
 * queue: each one being scrubbed returns within a scrub and then turns over once per cycle
 * (execution + scrub), each one in use turns over once per cycle. Requests beyond what they serve
 * within a launch are served sooner by a launch, so only they get one. A request that has waited
 * longer than a launch would have taken (and than {@code patience}) gets one whatever the estimate
 * said: the estimate was wrong. Never more than {@code maxLaunches} at once, counting launches already
 * under way, so fresh containers cannot crowd out the scrubs that serve the warm path.
 *
 * @param patience    how long a queued request waits for a sandbox coming back before a fresh one is
 *                    launched for it, at the least (WARM_POOL_ACQUIRE_WAIT_MS)
 * @param maxLaunches launches under way at once for one pool (WARM_POOL_MAX_CONCURRENT_LAUNCHES)
 */
record AcquirePolicy(Duration patience, int maxLaunches) {

    AcquirePolicy {
        if (patience.isNegative()) throw new IllegalArgumentException("patience must not be negative: " + patience);
        if (maxLaunches < 1) throw new IllegalArgumentException("maxLaunches must be at least 1: " + maxLaunches);
    }

    /**
     * What a pool looks like to the decision.
     *
     * @param waited    how long each queued request has waited, oldest first
     * @param leased    sandboxes running an execution
     * @param returning sandboxes being scrubbed or health-checked, back in moments
     * @param launching launches under way (for the queue or to refill the pool)
     */
    record Queue(List<Duration> waited, int leased, int returning, int launching) {
        Queue {
            waited = List.copyOf(waited);
        }
    }

    /** How many fresh containers to launch now (zero or more). */
    int launches(Queue queue, Costs costs) {
        int waiting = queue.waited().size();
        if (waiting == 0) return 0;
        double launch = costs.launch().toNanos();
        double cycle = costs.cycle().toNanos();
        double afterScrub = Math.max(0, launch - costs.scrub().toNanos());
        double returns = queue.returning() * (1 + afterScrub / cycle) + queue.leased() * launch / cycle;
        int unserved = waiting - (int) Math.min(waiting, Math.floor(returns));
        unserved = Math.max(unserved, overdue(queue.waited(), costs.launch()));
        int wanted = unserved - queue.launching();
        int room = maxLaunches - queue.launching();
        return Math.max(0, Math.min(wanted, room));
    }

    /** Requests that have waited longer than both the patience and a launch. */
    private int overdue(List<Duration> waited, Duration launch) {
        Duration limit = patience.compareTo(launch) > 0 ? patience : launch;
        return (int) waited.stream().filter(w -> w.compareTo(limit) >= 0).count();
    }
}
