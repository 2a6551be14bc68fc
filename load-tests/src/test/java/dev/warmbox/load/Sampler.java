package dev.warmbox.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reads a {@link ServerSample} every period on its own thread ({@code warmbox-soak-sampler}), so the
 * readings (an HTTP call and a docker CLI call) never block Gatling's threads.
 */
final class Sampler {
    private final WarmboxServer server;
    private final Duration period;
    private final List<ServerSample> samples = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private ScheduledExecutorService executor;

    Sampler(WarmboxServer server, Duration period) {
        this.server = server;
        this.period = period;
    }

    synchronized void start() {
        executor = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("warmbox-soak-sampler").daemon(true).unstarted(r));
        executor.scheduleAtFixedRate(this::sample, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops sampling (waiting at most 30 s for a reading in progress) and returns the samples. */
    List<ServerSample> stop() {
        ScheduledExecutorService running;
        synchronized (this) {
            running = executor;
        }
        if (running != null) {
            running.shutdown();
            try {
                running.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (!errors.isEmpty()) throw new IllegalStateException("sampling failed: " + errors);
            return List.copyOf(samples);
        }
    }

    private void sample() {
        try {
            ServerSample sample = server.sample();
            synchronized (this) {
                samples.add(sample);
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                errors.add(e.getMessage());
            }
        }
    }
}
