package dev.warmbox.load;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bursts above the pools' size: {@code warmbox.burst} executions at the same instant, in
 * {@code warmbox.waves} waves {@code warmbox.gap} seconds apart. Requests beyond the ready sandboxes
 * queue for the ones coming back, or get a fresh container where that is sooner; the pool grows with
 * the bursts. Passes when no request failed, the p99 of the waves after the first (whose requests
 * are named "first wave ...") stays under the burst bound (python 500 ms), and the status endpoint
 * counted every hit and miss the responses reported.
 *
 * <p>Properties (defaults): warmbox.languages (python), warmbox.burst (16; keep it at or under the
 * server's WARMBOX_MAX_CONCURRENT_EXECUTIONS, 32, or the excess is refused with 429), warmbox.waves (3),
 * warmbox.gap (20), warmbox.warmUp (5), warmbox.p99Ms[.language].
 */
public class BurstSimulation extends Simulation {
    private final LoadSettings settings = LoadSettings.fromSystem();
    private final PoolTally tally = new PoolTally();
    private final List<String> languages = settings.languages("languages", List.of("python"));
    private final int burst = settings.integer("burst", 16, 1, 10_000);
    private final int waves = settings.integer("waves", 3, 1, 1000);
    private final Duration gap = settings.seconds("gap", 20);
    private final Run run = new Run(new WarmboxServer(settings));

    {
        Map<String, Double> rates = new LinkedHashMap<>();
        languages.forEach(language -> rates.put(language, 1.0));
        List<OpenInjectionStep> laterWaves = new ArrayList<>();
        for (int wave = 1; wave < waves; wave++) {
            laterWaves.add(nothingFor(gap));
            laterWaves.add(atOnceUsers(burst));
        }
        var firstWave = scenario("first wave").exec(Executions.firstWaveMix(rates, tally)).injectOpen(atOnceUsers(burst));
        var load = laterWaves.isEmpty() ? firstWave
                : firstWave.andThen(scenario("burst").exec(Executions.mix(rates, tally)).injectOpen(laterWaves));
        setUp(run.phases(rates, settings.seconds("warmUp", 5), load,
                        Executions.verdict("verify misses counted", "/api/v1/warm-pool/status",
                                body -> Verdicts.burst(run.baseline(), PoolStatus.parse(body), tally))))
                .protocols(Executions.protocol(settings))
                .assertions(Bounds.assertions(settings, languages, Bounds.BURST));
    }

    @Override
    public void after() {
        System.out.printf("%n[warmbox] bursts of %d %s executions, %d waves %s apart; the responses' pool field:%n%s",
                burst, languages, waves, gap, tally.describe());
    }
}
