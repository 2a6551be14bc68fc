package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warmbox.provider.ContainerState;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pool containers paused or killed from outside, idle or in the middle of an execution: the request
 * gets a clear answer, the container is replaced and removed, and the pool is whole again.
 */
class FaultIT {
    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = new RunningServer(Map.of("WARM_POOL_SIZE_PER_RUNTIME", "0", "WARM_POOL_PYTHON_SIZE", "1",
                "WARM_POOL_HEALTH_CHECK_INTERVAL", "1", "WARM_POOL_ACQUIRE_WAIT_MS", "5000"));
        Awaits.warm(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @AfterEach
    void thePoolIsWholeAgainWithNothingLeftBehind() {
        await().atMost(Duration.ofSeconds(60)).until(() ->
                server.containers().size() == 1 && server.containers().getFirst().running() && Awaits.allAvailable(server.status()));
        JsonNode next = server.execute(Map.of("language", "python", "code", "print('served')"));
        assertThat(next.get("stdout").asText()).isEqualTo("served\n");
        assertThat(next.get("pool").asText()).isEqualTo("hit");
    }

    /** The pool's one container, once it is idle and scrubbed, so the next request gets exactly it. */
    private static String poolContainer() {
        await().atMost(Duration.ofSeconds(30)).until(() -> Awaits.allAvailable(server.status()));
        Set<String> running = server.containers().stream().filter(ContainerState::running)
                .map(ContainerState::id).collect(Collectors.toSet());
        assertThat(running).hasSize(1);
        return running.iterator().next();
    }

    private static void awaitReplaced(String old) {
        await().atMost(Duration.ofSeconds(60)).until(() ->
                server.containers().stream().noneMatch(c -> c.id().equals(old)) && server.containers().size() == 1);
    }

    @Test
    void anIdleContainerPausedFromOutsideIsReplaced() {
        String paused = poolContainer();
        Docker.run("pause", paused);
        awaitReplaced(paused);
        assertThat(server.get("/metrics").body()).containsPattern("warm_pool_health_failures_total\\{runtime=\"python\"} [1-9]");
    }

    @Test
    void aContainerKilledDuringAnExecutionAnswers503AndIsReplaced() throws Exception {
        String victim = poolContainer();
        HttpResponse<String> answer = duringExecution(() -> Docker.run("kill", victim));
        assertUnavailable(answer);
        awaitReplaced(victim);
    }

    @Test
    void aContainerPausedDuringAnExecutionAnswers503AtItsDeadlineAndIsReplaced() throws Exception {
        String frozen = poolContainer();
        HttpResponse<String> answer = duringExecution(() -> Docker.run("pause", frozen));
        assertUnavailable(answer);
        awaitReplaced(frozen);
    }

    /** Starts a two-second execution on the pool's container, injects the fault while it runs, returns the answer. */
    private static HttpResponse<String> duringExecution(Runnable fault) throws Exception {
        String body = RunningServer.write(Map.of("language", "python", "timeout_ms", 2000,
                "code", "import time\nprint('started', flush=True)\ntime.sleep(1.5)\nprint('finished')"));
        try (var client = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<HttpResponse<String>> pending = client.submit(() -> server.post("/execute", body, "application/json", RunningServer.API_KEY));
            await().atMost(Duration.ofSeconds(10)).until(() -> server.status().at("/pools/python/in_use").asInt() == 1);
            fault.run();
            return pending.get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static void assertUnavailable(HttpResponse<String> answer) {
        assertThat(answer.statusCode()).as("answer: %s", answer.body()).isEqualTo(503);
        assertThat(answer.headers().firstValue("Retry-After")).as("a sandbox failure: try again in 2 s").hasValue("2");
        JsonNode error = RunningServer.read(answer.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("sandbox_unavailable");
        assertThat(error.get("message").asText()).doesNotContain("Exception");
    }
}
