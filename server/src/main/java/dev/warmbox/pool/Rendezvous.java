package dev.warmbox.pool;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where ready sandboxes wait for requests and requests wait for sandboxes: a sandbox that becomes
 * ready goes to the request that has waited longest, first come first served, and only with nobody
 * waiting to the ready set. One lock orders hand-outs against requests giving up.
 */
final class Rendezvous<T> {
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<T> ready = new ArrayDeque<>();
    private final ArrayDeque<Waiter<T>> waiters = new ArrayDeque<>();
    private boolean closed;

    /** A request's place in the queue; its future completes with the sandbox handed to it. */
    static final class Waiter<T> {
        final CompletableFuture<T> handed = new CompletableFuture<>();
        final long since = System.nanoTime();
    }

    /** A ready item at once (the waiter comes back completed), or a place at the end of the queue. */
    Waiter<T> take() {
        Waiter<T> waiter = new Waiter<>();
        lock.lock();
        try {
            if (closed) {
                waiter.handed.completeExceptionally(new IllegalStateException("the pool is closed"));
            } else if (!ready.isEmpty() && waiters.isEmpty()) {
                waiter.handed.complete(ready.pollFirst());
            } else {
                waiters.addLast(waiter);
            }
        } finally {
            lock.unlock();
        }
        return waiter;
    }

    /** Hands the item to the longest waiter, or keeps it ready. False when closed: the caller disposes of it. */
    boolean offer(T item) {
        lock.lock();
        try {
            if (closed) return false;
            if (!handToWaiter(item)) ready.addFirst(item); // most recently used first: its caches are warm
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Hands the item to the longest waiter only; false when nobody waits. */
    boolean offerToWaiter(T item) {
        lock.lock();
        try {
            return !closed && handToWaiter(item);
        } finally {
            lock.unlock();
        }
    }

    /** Leaves the queue; false when an item was handed over first (the caller then owns it). */
    boolean leave(Waiter<T> waiter) {
        lock.lock();
        try {
            return waiters.remove(waiter);
        } finally {
            lock.unlock();
        }
    }

    /** Fails the longest waiter, for a launch that failed when nothing else could serve it. */
    void failFirst(RuntimeException cause) {
        lock.lock();
        try {
            Waiter<T> first = waiters.pollFirst();
            if (first != null) first.handed.completeExceptionally(cause);
        } finally {
            lock.unlock();
        }
    }

    /** Takes one ready item out (for a health check, a shrink or a shutdown), or null. */
    T pollReady() {
        lock.lock();
        try {
            return ready.pollLast(); // least recently used first
        } finally {
            lock.unlock();
        }
    }

    int readyCount() {
        lock.lock();
        try {
            return ready.size();
        } finally {
            lock.unlock();
        }
    }

    int waiting() {
        lock.lock();
        try {
            return waiters.size();
        } finally {
            lock.unlock();
        }
    }

    /** How long each queued request has waited, oldest first. */
    List<Duration> waited() {
        long now = System.nanoTime();
        lock.lock();
        try {
            List<Duration> ages = new ArrayList<>(waiters.size());
            for (Waiter<T> w : waiters) ages.add(Duration.ofNanos(now - w.since));
            return ages;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses everything from now on, fails every waiter, and returns the ready items for disposal. */
    List<T> close(RuntimeException cause) {
        lock.lock();
        try {
            closed = true;
            waiters.forEach(w -> w.handed.completeExceptionally(cause));
            waiters.clear();
            List<T> left = new ArrayList<>(ready);
            ready.clear();
            return left;
        } finally {
            lock.unlock();
        }
    }

    private boolean handToWaiter(T item) {
        Waiter<T> first = waiters.pollFirst();
        if (first == null) return false;
        first.handed.complete(item);
        return true;
    }
}
