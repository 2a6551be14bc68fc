package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Docker engine restarts under a running server (which kills every container): the server says it
 * is not ready meanwhile, answers executions with 503 rather than hanging, and recovers by itself.
 * The test restarts the real engine of this machine, the way scripts/lib.sh started it.
 */
class EngineRestartIT {

    @Test
    void theServerReportsNotReadyWhileTheEngineRestartsAndRecoversWithoutARestartOfItsOwn() throws Exception {
        try (RunningServer server = new RunningServer(Map.of("WARM_POOL_SIZE_PER_RUNTIME", "0",
                "WARM_POOL_PYTHON_SIZE", "2", "WARM_POOL_HEALTH_CHECK_INTERVAL", "1"))) {
            Awaits.warm(server);
            List<String> before = server.containers().stream().map(c -> c.id()).toList();

            Process restart = restartEngine();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                    server.get("/health/ready", null).statusCode() == 503);
            HttpResponse<String> during = server.post("/execute", "{\"language\":\"python\",\"code\":\"print(1)\"}",
                    "application/json", RunningServer.API_KEY);
            assertThat(during.statusCode()).as("during the outage: %s", during.body()).isIn(200, 503);
            if (during.statusCode() == 503) assertThat(during.headers().firstValue("Retry-After")).isPresent();

            assertThat(restart.waitFor(3, TimeUnit.MINUTES)).as("the engine restarted").isTrue();
            assertThat(restart.exitValue()).as(new String(restart.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();

            Awaits.warm(server);
            JsonNode after = server.execute(Map.of("language", "python", "code", "print('back')"));
            assertThat(after.get("stdout").asText()).isEqualTo("back\n");
            await().atMost(Duration.ofSeconds(60)).until(() -> server.containers().size() == 2
                    && server.containers().stream().allMatch(c -> c.running() && !before.contains(c.id())));
        }
    }

    private static Process restartEngine() throws IOException {
        Path lib = scripts().resolve("lib.sh");
        // setsid: the restart finishes even if this JVM dies halfway, so the engine is never left stopped.
        return new ProcessBuilder("setsid", "bash", "-c", "source \"$0\" && restart_docker_engine", lib.toString())
                .redirectErrorStream(true).start();
    }

    private static Path scripts() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("scripts/lib.sh"))) return dir.resolve("scripts");
        }
        throw new AssertionError("scripts/lib.sh not found above " + Path.of("").toAbsolutePath());
    }
}
