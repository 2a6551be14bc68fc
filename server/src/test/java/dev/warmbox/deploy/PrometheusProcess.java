package dev.warmbox.deploy;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's real {@code prometheus} as a child process of the test: its own temporary directory
 * (config, key file, rules, TSDB, log), its web API on a free loopback port. Closing it kills the
 * process and deletes the directory; a JVM that exits without closing it still kills the process.
 */
public final class PrometheusProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration READY_DEADLINE = Duration.ofSeconds(60);

    private final Path dir;
    private final Process process;
    private final Thread killer;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusProcess(Path dir, Process process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.killer = new Thread(process::destroyForcibly, "prometheus-test-killer");
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /** Starts prometheus on the shipped scrape config, aimed at {@code target} with {@code apiKey}, and waits until it is ready. */
    public static PrometheusProcess scraping(String target, String apiKey) {
        Path prometheus = PrometheusBinaries.require("prometheus");
        Path dir = null;
        try {
            dir = Files.createTempDirectory("warmbox-prometheus-");
            Path config = DeployFiles.writeScrapeConfig(dir, target, apiKey);
            int port = freeLoopbackPort();
            Process process = new ProcessBuilder(List.of(prometheus.toString(),
                    "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port))
                    .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            process.getOutputStream().close();
            PrometheusProcess started = new PrometheusProcess(dir, process, port);
            started.awaitReady();
            return started;
        } catch (IOException e) {
            if (dir != null) deleteRecursively(dir);
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady() {
        try {
            await("prometheus ready on 127.0.0.1:" + port).atMost(READY_DEADLINE).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!process.isAlive()) throw new AssertionError("prometheus exited with " + process.exitValue() + ":\n" + log());
                try {
                    return get("/-/ready").statusCode() == 200;
                } catch (UncheckedIOException notListeningYet) {
                    return false;
                }
            });
        } catch (RuntimeException | AssertionError e) {
            close();
            throw e;
        }
    }

    /** {@code /api/v1/query}: the {@code data.result} array of an instant query, failing on anything but success. */
    public JsonNode query(String promql) {
        JsonNode answer = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        return answer.path("data").path("result");
    }

    /** GET {@code path} of the HTTP API, parsed; fails unless {@code status} is {@code success}. */
    public JsonNode api(String path) {
        HttpResponse<String> response = get(path);
        JsonNode answer = parse(response.body());
        if (response.statusCode() != 200 || !"success".equals(answer.path("status").asText())) {
            throw new AssertionError("prometheus answered " + response.statusCode() + " to " + path + ": " + response.body());
        }
        return answer;
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("prometheus.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("prometheus answered something that is not JSON: " + body, e);
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Kills prometheus (TERM, then KILL after 10 s) and deletes its directory. */
    @Override
    public void close() {
        try {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
            deleteRecursively(dir);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> entries = Files.walk(dir)) {
            for (Path entry : entries.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(entry);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete prometheus's directory " + dir, e);
        }
    }
}
