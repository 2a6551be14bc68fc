package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A python pool with a floor of 2 under 8 clients that send their next request as soon as the answer
 * comes, on the real engine: the pool grows to serve them warm, and shrinks back to its floor once the
 * clients stop and the scale-down window has passed. The programs wait 200 ms, as programs blocked on
 * input or a sleep do, so the CPU has room for more sandboxes at once (a pool does not grow while the
 * CPUs are saturated: see PoolAutoscaler).
 */
class PoolScalingIT {
    private static final int CLIENTS = 8;

    /** Eight closed-loop clients; each answer's {@code pool} field is counted while {@code counting} is set. */
    private static final class Clients implements AutoCloseable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicBoolean counting = new AtomicBoolean(false);
        final AtomicInteger hits = new AtomicInteger();
        final AtomicInteger misses = new AtomicInteger();
        final List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = new ArrayList<>();

        Clients(RunningServer server) {
            for (int i = 0; i < CLIENTS; i++) {
                threads.add(Thread.ofVirtual().name("closed-loop-client-" + i).start(() -> {
                    while (running.get()) {
                        try {
                            JsonNode answer = server.execute(Map.of("language", "python", "code", "import time\ntime.sleep(0.2)\nprint('hi')"));
                            assertThat(answer.get("stdout").asText()).isEqualTo("hi\n");
                            if (counting.get()) ("hit".equals(answer.get("pool").asText()) ? hits : misses).incrementAndGet();
                        } catch (Throwable t) {
                            failures.add(t);
                            return;
                        }
                    }
                }));
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) t.join(Duration.ofSeconds(60));
        }
    }

    @Test
    void eightClientsAreServedWarmByAGrownPoolWhichShrinksBackWhenTheyStop() throws Exception {
        RunningServer server = new RunningServer(Map.of(
                "WARM_POOL_SIZE_PER_RUNTIME", "0", "WARM_POOL_PYTHON_SIZE", "2", "WARM_POOL_PYTHON_MAX_SIZE", "12",
                "WARM_POOL_SCALE_UP_WINDOW", "1", "WARM_POOL_SCALE_DOWN_WINDOW", "4",
                // A loaded build machine may scrub slowly: this test is about growth, not about overdue launches.
                "WARM_POOL_ACQUIRE_WAIT_MS", "2000"));
        try (server) {
            Awaits.warm(server);
            assertThat(server.containers()).as("the floor").hasSize(2);

            Clients clients = new Clients(server);
            try (clients) {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    JsonNode status = server.status();
                    return !clients.failures.isEmpty() || (scaling(status).get("target").asInt() >= CLIENTS
                            && python(status).get("size").asInt() >= CLIENTS);
                });
                assertThat(clients.failures).as("every request served").isEmpty();
                String metrics = server.get("/metrics").body();
                assertThat(metrics).as("the target and the queue's wait are published")
                        .containsPattern("warm_pool_target_size\\{runtime=\"python\"} (8|9|1[0-2])\\.0")
                        .containsPattern("warm_pool_queue_wait_seconds_count\\{runtime=\"python\"} [1-9]");
                clients.counting.set(true);
                long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                await().atMost(Duration.ofSeconds(60)).until(() -> System.nanoTime() > until && clients.hits.get() >= 40);
            }
            assertThat(clients.failures).as("every request served").isEmpty();
            assertThat(clients.misses.get()).as("once grown, the pool serves all eight warm (%d hits)", clients.hits.get()).isZero();

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                    scaling(server.status()).get("target").asInt() == 2 && server.containers().size() == 2);
            JsonNode python = python(server.status());
            assertThat(python.get("size").asInt()).as("back at the floor after the scale-down window").isEqualTo(2);
            await().atMost(Duration.ofSeconds(30)).until(() -> python(server.status()).get("available").asInt() == 2);
            server.warmbox.close();
            assertThat(server.containers()).as("no container left over").isEmpty();
        }
    }

    private static JsonNode python(JsonNode status) {
        return status.get("pools").get("python");
    }

    private static JsonNode scaling(JsonNode status) {
        return status.get("scaling").get("python");
    }
}
