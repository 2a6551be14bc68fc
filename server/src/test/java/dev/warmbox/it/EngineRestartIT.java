package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Docker engine restarts under a running server (which kills every container): the server says it
 * is not ready meanwhile, answers executions with 503 rather than hanging, and recovers by itself.
 * The engine restarted is a {@link PrivateEngine} of this test's own; the machine's engine, a container
 * running on it and the host's network interfaces are shown to be untouched.
 */
class EngineRestartIT {
    private static PrivateEngine engine;

    @BeforeAll
    static void startPrivateEngine() {
        engine = PrivateEngine.start().load(PrivateEngine.runtimeImage("python"));
    }

    @AfterAll
    static void removePrivateEngine() {
        if (engine != null) engine.close();
    }

    @Test
    void theServerReportsNotReadyWhileTheEngineRestartsAndRecoversWithoutARestartOfItsOwn() throws Exception {
        Set<String> interfacesBefore = hostInterfaces();
        String sentinel = Docker.run("run", "-d", "--rm", "--network", "none", "--label", "warmbox.test=engine-restart-sentinel",
                "--entrypoint", "sleep", PrivateEngine.runtimeImage("python"), "600").trim();
        try {
            String sentinelStart = startedAt(sentinel);
            try (RunningServer server = new RunningServer(Map.of("DOCKER_HOST", engine.dockerHost(),
                    "WARM_POOL_SIZE_PER_RUNTIME", "0", "WARM_POOL_PYTHON_SIZE", "2", "WARM_POOL_HEALTH_CHECK_INTERVAL", "1"))) {
                Awaits.warm(server);
                List<String> before = server.containers().stream().map(c -> c.id()).toList();
                assertThat(before).hasSize(2);

                Thread restart = Thread.ofVirtual().name("engine-restart-it").start(engine::restart);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                        server.get("/health/ready", null).statusCode() == 503);
                HttpResponse<String> during = server.post("/execute", "{\"language\":\"python\",\"code\":\"print(1)\"}",
                        "application/json", RunningServer.API_KEY);
                // The engine may be back between the readiness probe and this request: then it is served.
                assertThat(during.statusCode()).as("during the outage: %s", during.body()).isIn(200, 503);
                if (during.statusCode() == 503) assertThat(during.headers().firstValue("Retry-After")).isPresent();

                restart.join(Duration.ofMinutes(3));
                assertThat(restart.isAlive()).as("the private engine restarted within 3 minutes").isFalse();

                Awaits.warm(server);
                JsonNode after = server.execute(Map.of("language", "python", "code", "print('back')"));
                assertThat(after.get("stdout").asText()).isEqualTo("back\n");
                await().atMost(Duration.ofSeconds(60)).until(() -> server.containers().size() == 2
                        && server.containers().stream().allMatch(c -> c.running() && !before.contains(c.id())));
            }
            assertThat(startedAt(sentinel)).as("a container on the machine's engine kept running through the restart")
                    .isEqualTo(sentinelStart);
            assertThat(hostInterfaces()).as("the host's network interfaces").isEqualTo(interfacesBefore);
        } finally {
            Docker.run("rm", "-f", sentinel);
        }
    }

    private static String startedAt(String container) {
        return Docker.run("inspect", "--format", "{{.State.Running}} {{.State.StartedAt}}", container).trim();
    }

    /**
     * The host's interfaces but the veth ends of containers: those come and go with whatever else runs
     * on the machine's engine meanwhile (other tests, other users), while what a private engine could
     * break (docker0, the bridges, eth0) stays put.
     */
    private static Set<String> hostInterfaces() throws SocketException {
        return NetworkInterface.networkInterfaces().map(NetworkInterface::getName)
                .filter(name -> !name.startsWith("veth")).collect(Collectors.toSet());
    }
}
