package dev.warmbox.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;

/**
 * A closed loop: each of C clients sends its next request as soon as its previous one is answered,
 * so the offered load follows the system's speed and C is the number of requests in flight. That is
 * what an app with C workers does; an open loop (fixed arrival rate) would measure queueing instead.
 *
 * <p>Requests started during the warm-up are kept apart: they pay for pools refilling after the previous
 * scenario, JIT compilation and connection set-up, which is not the steady state asked about.
 */
final class ClosedLoop {
    /** One client's way of sending a request; what it returns says whether the answer was right. */
    interface Client extends AutoCloseable {
        /** Sends one request and reads its whole answer; returns {@link Sample#OK} or what went wrong, and the pool. */
        Answer send() throws Exception;

        @Override
        default void close() {}
    }

    record Answer(String outcome, String pool) {}

    /** Samples split by phase; {@code seconds} is the measured phase's length. */
    record Result(List<Sample> warmup, List<Sample> measured, double seconds) {}

    /** Called when the warm-up ends, so component CPU can be sampled over the measured phase only. */
    interface PhaseListener {
        void measuring();
    }

    private final int concurrency;
    private final Duration warmup;
    private final Duration duration;

    ClosedLoop(int concurrency, Duration warmup, Duration duration) {
        this.concurrency = concurrency;
        this.warmup = warmup;
        this.duration = duration;
    }

    /** Runs {@code concurrency} virtual threads, each with its own client from {@code clients}. */
    Result run(IntFunction<Client> clients, PhaseListener listener) throws InterruptedException {
        List<Sample> all = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        long measureFrom = start + warmup.toNanos();
        long end = measureFrom + duration.toNanos();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < concurrency; i++) {
                int index = i;
                threads.submit(() -> loop(clients.apply(index), end, all));
            }
            long untilMeasuring = measureFrom - System.nanoTime();
            if (untilMeasuring > 0) Thread.sleep(Duration.ofNanos(untilMeasuring));
            listener.measuring();
        } // waits for every client's last request: the measured phase ends when the last answer is in
        List<Sample> warm = new ArrayList<>();
        List<Sample> measured = new ArrayList<>();
        synchronized (all) {
            for (Sample s : all) (s.startNanos() < measureFrom ? warm : measured).add(s);
        }
        return new Result(warm, measured, duration.toNanos() / 1e9);
    }

    private static Void loop(Client client, long end, List<Sample> into) {
        try (client) {
            while (System.nanoTime() < end) {
                long sent = System.nanoTime();
                Answer answer;
                try {
                    answer = client.send();
                } catch (Exception e) {
                    answer = new Answer(e.getClass().getSimpleName(), null);
                }
                into.add(new Sample(sent, (System.nanoTime() - sent) / 1e6, answer.outcome(), answer.pool()));
            }
        }
        return null;
    }
}
