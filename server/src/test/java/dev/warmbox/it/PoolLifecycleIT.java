package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.warmbox.provider.ContainerSpec;
import dev.warmbox.provider.ContainerState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Start-up, TTL, health replacement and shutdown of pools on the real engine. */
class PoolLifecycleIT {
    private static final Map<String, String> PYTHON_ONLY = Map.of(
            "WARM_POOL_SIZE_PER_RUNTIME", "0", "WARM_POOL_PYTHON_SIZE", "1");

    private static Set<String> runningIds(RunningServer server) {
        return server.containers().stream().filter(ContainerState::running).map(ContainerState::id).collect(Collectors.toSet());
    }

    private static String hostname(RunningServer server) {
        return server.execute(Map.of("language", "python", "code", "import socket; print(socket.gethostname())"))
                .get("stdout").asText().trim();
    }

    @Test
    void aContainerKilledFromOutsideIsReplacedWithinAnInterval() {
        try (RunningServer server = new RunningServer(merge(PYTHON_ONLY, Map.of("WARM_POOL_HEALTH_CHECK_INTERVAL", "1")))) {
            Awaits.warm(server);
            Set<String> before = runningIds(server);
            assertThat(before).hasSize(1);
            Engine.provider().stop(before.iterator().next(), Duration.ZERO);

            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Set<String> now = runningIds(server);
                return now.size() == 1 && !now.equals(before);
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> Awaits.allAvailable(server.status()));
            assertThat(server.get("/metrics").body()).containsPattern("warm_pool_health_failures_total\\{runtime=\"python\"} 1(\\.0)?\n");
            assertThat(server.containers()).as("the dead container was removed, not left behind").hasSize(1);
        }
    }

    @Test
    void containersAreRecycledAfterTheirTtl() {
        try (RunningServer server = new RunningServer(merge(PYTHON_ONLY,
                Map.of("WARM_POOL_CONTAINER_TTL", "3", "WARM_POOL_HEALTH_CHECK_INTERVAL", "1")))) {
            Awaits.warm(server);
            String first = hostname(server);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> !hostname(server).equals(first));
            await().atMost(Duration.ofSeconds(30)).until(() -> server.containers().size() == 1);
        }
    }

    @Test
    void startUpRemovesContainersLeftByACrashedRun() {
        String instanceId = RunningServer.newInstanceId();
        // What a crashed run leaves: a container with this instance's labels that no server knows about.
        String orphan = Engine.provider().create(new ContainerSpec("warmbox-" + instanceId + "-orphan",
                "warmbox/runtime-python:latest", Map.of("warmbox.managed", "true", "warmbox.owner", instanceId),
                List.of(), List.of("sleep", "infinity"), null, new ContainerSpec.Limits(0, 0, 0, 0), false,
                Map.of(), List.of(), "none", null, true, null, false));
        Engine.provider().start(orphan);
        try (RunningServer server = new RunningServer(merge(PYTHON_ONLY, Map.of("WARMBOX_INSTANCE_ID", instanceId)))) {
            Awaits.warm(server);
            assertThat(server.containers()).extracting(ContainerState::id).as("the orphan is gone").doesNotContain(orphan).hasSize(1);
        } finally {
            Engine.provider().remove(orphan);
        }
    }

    @Test
    void aContainerOfThisServerThatIsNoSandboxIsSweptWithinAnInterval() {
        try (RunningServer server = new RunningServer(merge(PYTHON_ONLY, Map.of("WARM_POOL_HEALTH_CHECK_INTERVAL", "1")))) {
            Awaits.warm(server);
            // What a removal that failed while the engine was away leaves: a container with this server's
            // labels that none of its sandboxes is.
            String stray = Engine.provider().create(new ContainerSpec("warmbox-" + server.instanceId + "-stray",
                    "warmbox/runtime-python:latest", Map.of("warmbox.managed", "true", "warmbox.owner", server.instanceId),
                    List.of(), List.of("sleep", "infinity"), null, new ContainerSpec.Limits(0, 0, 0, 0), false,
                    Map.of(), List.of(), "none", null, true, null, false));
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> Engine.provider().inspect(stray).isEmpty());
                assertThat(server.containers()).as("the pool's own container stays").hasSize(1);
                assertThat(server.execute(Map.of("language", "python", "code", "print(1)")).get("pool").asText()).isEqualTo("hit");
            } finally {
                Engine.provider().remove(stray);
            }
        }
    }

    @Test
    void shutdownRemovesEveryContainerOfTheServer() {
        try (RunningServer server = new RunningServer(Map.of())) {
            Awaits.warm(server);
            assertThat(server.containers()).as("one per runtime").hasSize(4);
            server.warmbox.close();
            assertThat(server.containers()).as("nothing left after shutdown").isEmpty();
        }
    }

    @Test
    void withPoolsDisabledEveryExecutionIsAFreshContainerThatIsRemoved() {
        try (RunningServer server = new RunningServer(Map.of("WARM_POOL_ENABLED", "false"))) {
            Awaits.warm(server);
            assertThat(server.containers()).as("no pool containers when disabled").isEmpty();
            var result = server.execute(Map.of("language", "python", "code", "print('cold')"));
            assertThat(result.get("pool").asText()).isEqualTo("miss");
            assertThat(result.get("stdout").asText()).isEqualTo("cold\n");
            assertThat(server.status().get("enabled").asBoolean()).isFalse();
            await().atMost(Duration.ofSeconds(30)).until(() -> server.containers().isEmpty());
        }
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        var merged = new java.util.HashMap<>(a);
        merged.putAll(b);
        return merged;
    }
}
