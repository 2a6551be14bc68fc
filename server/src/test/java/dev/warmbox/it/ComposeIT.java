package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The compose stack as a user runs it: the server image built from the jar this build made, the
 * server in its container on a free loopback port, code in every language through its HTTP API, then
 * a graceful stop and {@code down -v} that leave nothing behind.
 */
class ComposeIT {
    private static final String API_KEY = "wb_compose_it_key";
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static ComposeStack stack;
    private static int port;

    @BeforeAll
    static void up() {
        Engine.requireAvailable();
        port = freePort();
        stack = new ComposeStack(port, API_KEY);
        stack.run("build", "server");
        stack.run("up", "-d");
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
                .until(() -> readyStatus() == 200);
    }

    @AfterAll
    static void down() {
        if (stack != null) stack.close();
    }

    @Test
    void runsEveryLanguageWarmAsNonRootAndStopsLeavingNothingBehind() {
        Map<String, String> programs = Map.of(
                "python", "print('py', 6 * 7)",
                "javascript", "console.log('js', 6 * 7)",
                "go", "package main\nimport \"fmt\"\nfunc main() { fmt.Println(\"go\", 6*7) }",
                "java", "public class Main { public static void main(String[] a) { System.out.println(\"java \" + 6 * 7); } }");
        awaitEveryPoolAvailable();
        programs.forEach((language, code) -> {
            JsonNode answer = execute(language, code);
            String tag = language.equals("javascript") ? "js" : language.equals("python") ? "py" : language;
            assertThat(answer.get("stdout").asText()).as("%s output through the compose stack", language).isEqualTo(tag + " 42\n");
            assertThat(answer.get("exit_code").asInt()).isZero();
            assertThat(answer.get("pool").asText()).as("%s served from its warm pool", language).isEqualTo("hit");
        });
        assertThat(stack.containersOfInstance()).as("one sandbox per pool of size 1").hasSize(4);
        assertThat(stack.serverJavaUid()).as("java drops root to warmbox unless only the engine socket's owner may use it")
                .isEqualTo(socketOnlyForItsOwner() ? "0" : "10001");

        stack.run("stop", "server");
        assertThat(stack.serverExitCode()).as("java ended by SIGTERM after its shutdown hook (143), not SIGKILL (137)").isEqualTo(143);
        assertThat(stack.containersOfInstance()).as("the server removed its sandboxes when it stopped").isEmpty();

        stack.run("down", "-v", "--remove-orphans");
        assertThat(stack.leftovers()).as("containers, volumes and networks of project %s", stack.project).isEmpty();
        assertThat(stack.containersOfInstance()).isEmpty();
    }

    private static void awaitEveryPoolAvailable() {
        await().atMost(Awaits.WARM_DEADLINE).pollInterval(Duration.ofMillis(200))
                .until(() -> Awaits.allAvailable(RunningServer.read(send(request("/api/v1/warm-pool/status").GET()).body())));
    }

    private static JsonNode execute(String language, String code) {
        String body = RunningServer.write(Map.of("language", language, "code", code));
        HttpResponse<String> response = send(request("/execute").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(response.statusCode()).as("POST /execute %s: %s", language, response.body()).isEqualTo(200);
        return RunningServer.read(response.body());
    }

    private static int readyStatus() {
        try {
            return http.send(HttpRequest.newBuilder(uri("/health/ready")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).header("X-API-Key", API_KEY).timeout(Duration.ofSeconds(120));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The entrypoint's rule: java stays root only when neither the socket's group nor others may read and write it. */
    private static boolean socketOnlyForItsOwner() {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(Path.of("/var/run/docker.sock"));
            boolean group = mode.contains(PosixFilePermission.GROUP_READ) && mode.contains(PosixFilePermission.GROUP_WRITE);
            boolean others = mode.contains(PosixFilePermission.OTHERS_READ) && mode.contains(PosixFilePermission.OTHERS_WRITE);
            return !group && !others;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the engine socket's mode", e);
        }
    }
}
