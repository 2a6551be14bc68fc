package dev.warmbox.load;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;

import io.gatling.javaapi.core.Assertion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The assertions every simulation makes: zero failed requests, and each language's p99 under a bound.
 * Default bounds are a few times what docs/performance.md measured on a shared 2-core machine, so a
 * regression fails while the machine's noise does not; override with warmbox.p99Ms[.language].
 */
final class Bounds {
    /** Hits only: interpreter start or compile plus the server's path. */
    static final Map<String, Integer> STEADY = Map.of("python", 500, "javascript", 1000, "go", 2500, "java", 3000);
    /**
     * Waves after the first: the pool has grown with the first, the rest queue briefly for sandboxes
     * coming back (issue 11: python under 500 ms); compiled languages' queues turn over in seconds.
     */
    static final Map<String, Integer> BURST = Map.of("python", 500, "javascript", 3000, "go", 20_000, "java", 20_000);

    private Bounds() {}

    static List<Assertion> assertions(LoadSettings settings, List<String> languages, Map<String, Integer> defaults) {
        List<Assertion> assertions = new ArrayList<>(List.of(global().failedRequests().count().is(0L)));
        for (String language : languages) {
            assertions.add(details(Executions.requestName(language)).responseTime().percentile(99.0)
                    .lt(settings.p99Millis(language, defaults.get(language))));
        }
        return assertions;
    }
}
