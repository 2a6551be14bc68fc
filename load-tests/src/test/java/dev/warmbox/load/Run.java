package dev.warmbox.load;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The phases of every simulation, one after the other: a warm-up (the server's JIT and connections;
 * its requests are named apart and stay out of the p99 assertions), a baseline reading of the status
 * once the pools are settled, the measured load, and the verdict requests.
 */
final class Run {
    static final Duration SETTLE_TIMEOUT = Duration.ofMinutes(3);

    private final WarmboxServer server;
    private final AtomicReference<PoolStatus> baseline = new AtomicReference<>();

    Run(WarmboxServer server) {
        this.server = server;
        server.awaitSettled(SETTLE_TIMEOUT);
    }

    /** The status read after the warm-up, when the pools had settled; the load's counts are measured from it. */
    PoolStatus baseline() {
        PoolStatus status = baseline.get();
        if (status == null) throw new IllegalStateException("no baseline was read before the load");
        return status;
    }

    PopulationBuilder phases(Map<String, Double> warmUpRates, Duration warmUp, PopulationBuilder load, ChainBuilder verify) {
        return phases(warmUpRates, warmUp, () -> { }, load, verify);
    }

    /** As above, with {@code atBaseline} run right after the baseline was read (the soak starts sampling there). */
    PopulationBuilder phases(Map<String, Double> warmUpRates, Duration warmUp, Runnable atBaseline, PopulationBuilder load,
                             ChainBuilder verify) {
        PopulationBuilder verdicts = scenario("verify").exec(verify).injectOpen(atOnceUsers(1));
        PopulationBuilder measured = scenario("baseline")
                .exec(session -> {
                    baseline.set(server.awaitSettled(SETTLE_TIMEOUT));
                    atBaseline.run();
                    return session;
                })
                .injectOpen(atOnceUsers(1))
                .andThen(load.andThen(verdicts));
        return scenario("warm-up").exec(Executions.warmUpMix(warmUpRates))
                .injectOpen(constantUsersPerSec(Executions.totalRate(warmUpRates)).during(warmUp).randomized())
                .andThen(measured);
    }
}
