package dev.warmbox.load;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Steady load within the pools' capacity: Poisson arrivals at {@code warmbox.rate} executions per
 * second of each language for {@code warmbox.duration} seconds, after {@code warmbox.warmUp} seconds
 * of the same. Passes with zero failed requests, each language's p99 under its bound, and a hit rate
 * of at least {@code warmbox.minHitRate}.
 *
 * <p>Properties (defaults): warmbox.languages (python), warmbox.rate (10), warmbox.duration (60),
 * warmbox.warmUp (15), warmbox.minHitRate (0.99), warmbox.p99Ms or warmbox.p99Ms.&lt;language&gt; (see {@link Bounds}).
 */
public class SteadyLoadSimulation extends Simulation {
    private final LoadSettings settings = LoadSettings.fromSystem();
    private final PoolTally tally = new PoolTally();
    private final List<String> languages = settings.languages("languages", List.of("python"));
    private final double rate = settings.number("rate", 10, 0.01, 10_000);
    private final Duration duration = settings.seconds("duration", 60);
    private final double minHitRate = settings.minHitRate(0.99);
    private final Run run = new Run(new WarmboxServer(settings));

    {
        Map<String, Double> rates = new LinkedHashMap<>();
        languages.forEach(language -> rates.put(language, rate));
        setUp(run.phases(rates, settings.seconds("warmUp", 15),
                        scenario("steady").exec(Executions.mix(rates, tally))
                                .injectOpen(constantUsersPerSec(Executions.totalRate(rates)).during(duration).randomized()),
                        Executions.verdict("verify hit rate", "/api/v1/warm-pool/status",
                                body -> Verdicts.hitRate(run.baseline(), PoolStatus.parse(body), tally, minHitRate))))
                .protocols(Executions.protocol(settings))
                .assertions(Bounds.assertions(settings, languages, Bounds.STEADY));
    }

    @Override
    public void after() {
        System.out.printf("%n[warmbox] steady load: %s at %.2f/s each for %s; the responses' pool field:%n%s",
                languages, rate, duration, tally.describe());
    }
}
