package dev.warmbox.devenv.instances;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one owner of what is in flight: which instances an operation is working on (launch, reset,
 * stop, start, personalization, removal), so the reconciler leaves them alone, and how many claims
 * are between their transaction and their instance's operation. Each operation holds a handle for its
 * whole length, across threads if it moves to a worker; a name is in flight while any handle on it is
 * open, so two overlapping operations on one name never clear each other's mark.
 */
public final class InFlight {
    private final ConcurrentHashMap<String, Integer> operations = new ConcurrentHashMap<>();
    private final AtomicInteger claims = new AtomicInteger();

    /** One operation's hold; closing it more than once counts once. */
    public static final class Operation implements AutoCloseable {
        private final AtomicBoolean open = new AtomicBoolean(true);
        private final Runnable end;

        private Operation(Runnable end) {
            this.end = end;
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) end.run();
        }
    }

    /** Marks the instance in flight until the handle is closed. */
    public Operation begin(String name) {
        operations.merge(name, 1, Integer::sum);
        return new Operation(() -> operations.computeIfPresent(name, (k, count) -> count == 1 ? null : count - 1));
    }

    /** A claim in flight until the handle is closed; see the reconciler's pass. */
    public Operation claim() {
        claims.incrementAndGet();
        return new Operation(claims::decrementAndGet);
    }

    public boolean contains(String name) {
        return operations.containsKey(name);
    }

    /** The instances in flight now (a copy). */
    public Set<String> names() {
        return Set.copyOf(operations.keySet());
    }

    public boolean claiming() {
        return claims.get() > 0;
    }
}
