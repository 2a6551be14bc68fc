package dev.warmbox.devenv.scaling;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;

/**
 * How many warm instances a pool keeps running, decided from what is stored (its bounds, its last
 * target and the times of its claims), so a restart decides exactly as before.
 *
 * <p>The demand at an instant is the number of claims in the {@code demandWindow} before it; the
 * recommendation is the number of claims expected while one instance is replenished
 * ({@code rate x leadTime}, rounded up), within {@code minSize..maxSize}. The target moves like a
 * Kubernetes autoscaler with stabilization windows: it rises only to what the recommendation stayed at
 * or above for the whole {@code scaleOutWindow} (sustained demand), and falls only to the highest
 * recommendation of the {@code scaleInWindow} (demand stayed low; a lull shorter than that changes
 * nothing). Claims and their backfills do not move it by themselves, so it does not flicker.
 *
 * <p>With {@code minSize} 0 the pool keeps one instance until it saw no claim for {@code idleGuard}
 * (30 minutes, as the seed says), and is empty after that; outside its active hours it is empty.
 */
public record Autoscaler(Duration demandWindow, Duration leadTime, Duration scaleOutWindow, Duration scaleInWindow, Duration idleGuard) {
    public static final Autoscaler DEFAULTS = new Autoscaler(Duration.ofMinutes(10), Duration.ofMinutes(5),
            Duration.ofMinutes(1), Duration.ofMinutes(15), Duration.ofMinutes(30));

    public Autoscaler {
        for (Duration d : List.of(demandWindow, leadTime, scaleOutWindow, scaleInWindow, idleGuard)) {
            if (d.isNegative()) throw new IllegalArgumentException("scaling durations must not be negative: " + d);
        }
        if (demandWindow.isZero()) throw new IllegalArgumentException("the demand window must be longer than zero");
    }

    /** How far back claims matter: the longest window a decision looks at, plus the demand window before it. */
    public Duration memory() {
        Duration windows = demandWindow.plus(scaleInWindow.compareTo(scaleOutWindow) > 0 ? scaleInWindow : scaleOutWindow);
        return windows.compareTo(idleGuard) > 0 ? windows : idleGuard;
    }

    /** What a pool is, for the autoscaler. {@code hours} is null when the pool has no schedule. */
    public record Pool(int minSize, int maxSize, Instant createdAt, ActiveHours hours) {}

    /**
     * The next target.
     *
     * @param current the target decided last (the status' desiredSize), or -1 when there is none yet
     * @param claims  the times of the pool's claims, any order; older than the longest window may be left out
     */
    public int target(Pool pool, int current, List<Instant> claims, Instant now) {
        if (pool.hours() != null && !pool.hours().active(now)) return 0;
        // A sorted list, not a set: claims at the same instant are each a claim.
        List<Instant> sorted = claims.stream().filter(c -> !c.isAfter(now)).sorted().toList();
        int floor = floor(pool, sorted, now);
        int sustained = extreme(pool, sorted, now.minus(scaleOutWindow), now, true);
        int recent = extreme(pool, sorted, now.minus(scaleInWindow), now, false);
        int base = current < 0 ? recommendation(pool, sorted, now) : current;
        int next = base < sustained ? sustained : Math.min(base, recent);
        return Math.min(pool.maxSize(), Math.max(floor, next));
    }

    /** minSize, or for a pool that may scale to zero: one until the idle guard has passed without a claim. */
    private int floor(Pool pool, List<Instant> claims, Instant now) {
        if (pool.minSize() > 0) return pool.minSize();
        Instant lastActivity = claims.isEmpty() ? pool.createdAt() : max(claims.getLast(), pool.createdAt());
        return now.isBefore(lastActivity.plus(idleGuard)) ? Math.min(1, pool.maxSize()) : 0;
    }

    /** The recommendation's lowest (or highest) value over [from, to]; it changes only as claims enter or leave the demand window. */
    private int extreme(Pool pool, List<Instant> claims, Instant from, Instant to, boolean lowest) {
        TreeSet<Instant> changes = new TreeSet<>(List.of(from, to));
        for (Instant claim : claims) {
            if (!claim.isBefore(from) && !claim.isAfter(to)) changes.add(claim);
            Instant leaves = claim.plus(demandWindow);
            if (!leaves.isBefore(from) && !leaves.isAfter(to)) changes.add(leaves);
        }
        int result = lowest ? Integer.MAX_VALUE : Integer.MIN_VALUE;
        for (Instant at : changes) {
            int value = recommendation(pool, claims, at);
            result = lowest ? Math.min(result, value) : Math.max(result, value);
        }
        return result;
    }

    /** Claims expected while one instance is replenished, at the claim rate of the demand window ending at {@code at}. */
    int recommendation(Pool pool, List<Instant> claims, Instant at) {
        long recent = countUpTo(claims, at) - countUpTo(claims, at.minus(demandWindow));
        long expected = (recent * leadTime.toMillis() + demandWindow.toMillis() - 1) / demandWindow.toMillis();
        return (int) Math.max(pool.minSize(), Math.min(pool.maxSize(), expected));
    }

    /** How many of the sorted claims are at or before {@code at} (binary search). */
    private static int countUpTo(List<Instant> sorted, Instant at) {
        int low = 0;
        int high = sorted.size();
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (sorted.get(middle).isAfter(at)) high = middle; else low = middle + 1;
        }
        return low;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
