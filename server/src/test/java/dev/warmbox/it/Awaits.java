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

    static boolean allAvailable(JsonNode status) {
        for (JsonNode pool : status.get("pools")) {
            if (pool.get("available").asInt() != pool.get("size").asInt()) return false;
        }
        return true;
    }
}
