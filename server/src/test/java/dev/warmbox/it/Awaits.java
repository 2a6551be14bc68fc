package dev.warmbox.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/** Conditions integration tests wait for, each with a deadline. */
final class Awaits {
    static final Duration WARM_DEADLINE = Duration.ofMinutes(3);

    private Awaits() {}

    /** Until readiness says the pools reached their size and every pool has all containers available. */
    static void warm(RunningServer server) {
        await().atMost(WARM_DEADLINE).pollInterval(Duration.ofMillis(200))
                .until(() -> server.get("/health/ready", null).statusCode() == 200);
        await().atMost(WARM_DEADLINE).pollInterval(Duration.ofMillis(200)).until(() -> allAvailable(server.status()));
    }

    /** Every pool holds its target (so an emptied pool is not "all available") and all of it is available. */
    static boolean allAvailable(JsonNode status) {
        var names = status.get("pools").fieldNames();
        while (names.hasNext()) {
            String language = names.next();
            JsonNode pool = status.get("pools").get(language);
            int target = status.get("scaling").get(language).get("target").asInt();
            if (pool.get("size").asInt() != target || pool.get("available").asInt() != target) return false;
        }
        return true;
    }
}
