package dev.warmbox.load;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Several minutes of mixed load within capacity, watching for growth: the server's live threads and
 * memory (from /metrics) and its containers (by the label warmbox.owner=warmbox.instanceId) are sampled
 * every {@code warmbox.samplePeriod} seconds; the last third of the samples may not exceed the first
 * third (see {@link Verdicts#soak}), and once the pools settle at the end the container count equals
 * the one at the start. Also zero failed requests, p99 bounds and the hit rate, as in the mix.
 *
 * <p>Properties (defaults): warmbox.duration (300), warmbox.rate.&lt;language&gt; (python 1, javascript 1,
 * go 0.25, java 0.25), warmbox.samplePeriod (10), warmbox.threadSlack (4), warmbox.warmUp (15),
 * warmbox.minHitRate (0.99), warmbox.instanceId (warmbox; the compose stack's is warmbox-compose).
 */
public class SoakSimulation extends Simulation {
    static final Map<String, Double> DEFAULT_RATES = Map.of("python", 1.0, "javascript", 1.0, "go", 0.25, "java", 0.25);

    private final LoadSettings settings = LoadSettings.fromSystem();
    private final WarmboxServer server = new WarmboxServer(settings);
    private final PoolTally tally = new PoolTally();
    private final Map<String, Double> rates = MixedLanguagesSimulation.rates(settings, DEFAULT_RATES);
    private final Duration duration = settings.seconds("duration", 300);
    private final double minHitRate = settings.minHitRate(0.99);
    private final int threadSlack = settings.integer("threadSlack", 4, 0, 10_000);
    private final Sampler sampler = new Sampler(server, settings.seconds("samplePeriod", 10));
    private final AtomicReference<ServerSample> start = new AtomicReference<>();
    private final AtomicReference<List<ServerSample>> samples = new AtomicReference<>(List.of());
    private final AtomicReference<String> endFailure = new AtomicReference<>();
    private final Run run = new Run(server);

    {
        if (server.containers() == 0) {
            throw new IllegalStateException("no container is labelled warmbox.owner=" + settings.instanceId()
                    + " on this machine's engine: pass the server's WARMBOX_INSTANCE_ID as -Dwarmbox.instanceId");
        }
        setUp(run.phases(rates, settings.seconds("warmUp", 15),
                        () -> {
                            start.set(server.sample());
                            sampler.start();
                        },
                        scenario("soak").exec(Executions.mix(rates, tally))
                                .injectOpen(constantUsersPerSec(Executions.totalRate(rates)).during(duration).randomized()),
                        exec(session -> {
                            try {
                                samples.set(sampler.stop());
                                server.awaitSettled(Run.SETTLE_TIMEOUT);
                            } catch (RuntimeException e) {
                                // Reported by the verdict below, so the run fails with the reason.
                                endFailure.set(e.getMessage());
                            }
                            return session;
                        })
                                .exec(Executions.verdict("verify hit rate", "/api/v1/warm-pool/status",
                                        body -> Verdicts.hitRate(run.baseline(), PoolStatus.parse(body), tally, minHitRate)))
                                .exec(Executions.verdict("verify no growth", "/metrics", body -> endFailure.get() != null ? endFailure.get()
                                                : Verdicts.soak(samples.get(), start.get(),
                                                        ServerSample.of(System.currentTimeMillis(), body, server.containers()), threadSlack)))))
                .protocols(Executions.protocol(settings))
                .assertions(Bounds.assertions(settings, LoadSettings.LANGUAGES, Bounds.STEADY));
    }

    @Override
    public void after() {
        List<ServerSample> taken = samples.get();
        System.out.printf("%n[warmbox] soak at %s per second for %s; the responses' pool field:%n%s", rates, duration, tally.describe());
        if (start.get() != null) System.out.println("[warmbox] settled at the start: " + describe(start.get()));
        if (!taken.isEmpty()) {
            System.out.println("[warmbox] first sample: " + describe(taken.get(0)));
            System.out.println("[warmbox] last sample:  " + describe(taken.get(taken.size() - 1)));
            System.out.printf("[warmbox] %d samples; peak threads %.0f, peak containers %d%n", taken.size(),
                    taken.stream().mapToDouble(ServerSample::threads).max().orElse(0),
                    taken.stream().mapToInt(ServerSample::containers).max().orElse(0));
        }
    }

    private static String describe(ServerSample s) {
        return String.format("threads %.0f, heap %.1f MiB, non-heap %.1f MiB, containers %d",
                s.threads(), s.heapBytes() / 1048576, s.nonHeapBytes() / 1048576, s.containers());
    }
}
