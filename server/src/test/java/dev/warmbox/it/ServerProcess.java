package dev.warmbox.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * warmbox as operators run it: the shaded jar in its own JVM, configured by environment variables, so a
 * test can kill it with SIGKILL or watch it refuse to start. Output goes to a log file the test reads.
 */
final class ServerProcess implements AutoCloseable {
    static final Path JAR = Path.of("target", "warmbox-server.jar").toAbsolutePath();

    final int port;
    final Path log;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ServerProcess(int port, Path log, Process process) {
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /** Starts the jar with exactly the given variables (plus PATH and the engine's address) on a free port. */
    static ServerProcess start(Map<String, String> variables, Path log) {
        if (!Files.isRegularFile(JAR)) throw new AssertionError(JAR + " is missing; `mvn verify` builds it before the integration tests");
        int port = variables.containsKey("WARMBOX_PORT") ? Integer.parseInt(variables.get("WARMBOX_PORT")) : freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-jar", JAR.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv("PATH"));
        if (System.getenv("DOCKER_HOST") != null) builder.environment().put("DOCKER_HOST", System.getenv("DOCKER_HOST"));
        builder.environment().putAll(variables);
        builder.environment().put("WARMBOX_PORT", Integer.toString(port));
        builder.environment().put("WARMBOX_BIND_ADDRESS", "127.0.0.1");
        try {
            return new ServerProcess(port, log, builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    HttpResponse<String> get(String path, String apiKey) {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).GET();
        if (apiKey != null) request.header("X-API-Key", apiKey);
        return send(request);
    }

    HttpResponse<String> post(String path, String body, String apiKey) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").header("X-API-Key", apiKey)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    void awaitReady() {
        await().atMost(Awaits.WARM_DEADLINE).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            if (!process.isAlive()) throw new AssertionError("the server exited " + process.exitValue() + ":\n" + output());
            return get("/health/ready", null).statusCode() == 200;
        });
    }

    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the process to end by itself and returns its exit code. */
    int awaitExit(Duration deadline) {
        try {
            if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the server did not exit within " + deadline + ":\n" + output());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL: no shutdown hook runs, nothing is cleaned up. */
    void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /** SIGTERM and wait for the graceful shutdown to finish. */
    @Override
    public void close() {
        if (!process.isAlive()) return;
        process.destroy();
        awaitExit(Duration.ofSeconds(60));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
