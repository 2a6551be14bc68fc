package dev.warmbox.load;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * All four languages at once, each at its own rate (Poisson arrivals), within the pools' capacity.
 * Passes with zero failed requests, each language's p99 under its bound and a hit rate of at least
 * {@code warmbox.minHitRate}.
 *
 * <p>Properties (defaults): warmbox.rate.python (2), warmbox.rate.javascript (1), warmbox.rate.go (0.5),
 * warmbox.rate.java (0.5), warmbox.duration (60), warmbox.warmUp (15), warmbox.minHitRate (0.99),
 * warmbox.p99Ms[.language].
 */
public class MixedLanguagesSimulation extends Simulation {
    static final Map<String, Double> DEFAULT_RATES = Map.of("python", 2.0, "javascript", 1.0, "go", 0.5, "java", 0.5);

    private final LoadSettings settings = LoadSettings.fromSystem();
    private final PoolTally tally = new PoolTally();
    private final Map<String, Double> rates = rates(settings, DEFAULT_RATES);
    private final Duration duration = settings.seconds("duration", 60);
    private final double minHitRate = settings.minHitRate(0.99);
    private final Run run = new Run(new WarmboxServer(settings));

    {
        setUp(run.phases(rates, settings.seconds("warmUp", 15),
                        scenario("mix").exec(Executions.mix(rates, tally))
                                .injectOpen(constantUsersPerSec(Executions.totalRate(rates)).during(duration).randomized()),
                        Executions.verdict("verify hit rate", "/api/v1/warm-pool/status",
                                body -> Verdicts.hitRate(run.baseline(), PoolStatus.parse(body), tally, minHitRate))))
                .protocols(Executions.protocol(settings))
                .assertions(Bounds.assertions(settings, LoadSettings.LANGUAGES, Bounds.STEADY));
    }

    /** warmbox.rate.&lt;language&gt; for each of the four languages, in their usual order. */
    static Map<String, Double> rates(LoadSettings settings, Map<String, Double> defaults) {
        Map<String, Double> rates = new LinkedHashMap<>();
        for (String language : LoadSettings.LANGUAGES) {
            rates.put(language, settings.number("rate." + language, defaults.get(language), 0.01, 10_000));
        }
        return rates;
    }

    @Override
    public void after() {
        System.out.printf("%n[warmbox] mixed languages at %s per second for %s; the responses' pool field:%n%s",
                rates, duration, tally.describe());
    }
}
