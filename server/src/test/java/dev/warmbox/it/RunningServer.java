package dev.warmbox.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warmbox.Warmbox;
import dev.warmbox.config.WarmboxConfig;
import dev.warmbox.provider.ContainerState;
import dev.warmbox.provider.DockerContainerProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A real warmbox for integration tests: real engine, real SQLite file, real HTTP on a loopback port.
 * Each server gets its own instance id, so its containers are told apart from any other server's, and
 * its own state directory (database, run directory), deleted when it closes.
 */
public final class RunningServer implements AutoCloseable {
    public static final String API_KEY = "wb_integration_test_key";
    static final ObjectMapper JSON = new ObjectMapper();

    public final String instanceId;
    public final Warmbox warmbox;
    public final Path stateDir;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    /** The engine this server drives: the machine's, or the one its DOCKER_HOST override names (a {@link PrivateEngine}). */
    private final DockerContainerProvider engine;
    private final boolean ownsEngineClient;
    /** The DOCKER_HOST override, or null for the machine's engine. */
    private final String dockerHost;
    /** Set once {@link #restartedWith} passed the instance id and state directory on: they are no longer this server's. */
    private volatile boolean handedOver;

    /** The tag of the classes the suite runs under every runtime: code written to break out or bring a sandbox down. */
    public static final String HOSTILE = "hostile";

    /**
     * The OCI runtime the suite's second run of the hostile-code classes asks for ({@code -Dwarmbox.it.ociRuntime=runsc},
     * set by failsafe's {@code hostile-code-under-gvisor} execution): its servers drive a private engine
     * with runsc registered, so the engine the suite found is never reconfigured.
     */
    static final String SUITE_RUNTIME = System.getProperty("warmbox.it.ociRuntime", "");

    /** Whether this run's servers put sandboxes under gVisor: the suite's gVisor run, or WARMBOX_OCI_RUNTIME=runsc for all. */
    public static boolean underGvisor() {
        return SUITE_RUNTIME.startsWith("runsc") || System.getenv().getOrDefault("WARMBOX_OCI_RUNTIME", "").startsWith("runsc");
    }

    public RunningServer(Map<String, String> overrides) {
        this(underTheSuitesRuntime(overrides), newStateDir());
    }

    /** Starts on {@code stateDir}, which it owns from here: deleted when it closes, or now if it cannot start. */
    private RunningServer(Map<String, String> overrides, Path stateDir) {
        this.stateDir = stateDir;
        dockerHost = overrides.get("DOCKER_HOST");
        ownsEngineClient = dockerHost != null;
        instanceId = overrides.getOrDefault("WARMBOX_INSTANCE_ID", newInstanceId());
        DockerContainerProvider provider = null;
        try {
            if (ownsEngineClient) {
                provider = new DockerContainerProvider(dockerHost);
            } else {
                Engine.requireAvailable();
                provider = Engine.provider();
            }
            warmbox = Warmbox.start(WarmboxConfig.fromEnvironment(environment(overrides, stateDir, instanceId)), Clock.systemUTC());
        } catch (RuntimeException | Error e) {
            if (ownsEngineClient && provider != null) provider.close();
            try {
                deleteRecursively(stateDir);
            } catch (UncheckedIOException undeleted) {
                e.addSuppressed(undeleted);
            }
            throw e;
        }
        engine = provider;
    }

    private static Map<String, String> environment(Map<String, String> overrides, Path stateDir, String instanceId) {
        Map<String, String> env = new HashMap<>(Map.of(
                "WARMBOX_PORT", "0",
                "WARMBOX_BIND_ADDRESS", "127.0.0.1",
                "WARMBOX_DB_PATH", stateDir.resolve("warmbox.db").toString(),
                "WARMBOX_RUN_DIR", stateDir.resolve("run").toString(),
                "WARMBOX_API_KEY", API_KEY,
                "WARMBOX_INSTANCE_ID", instanceId,
                "WARM_POOL_SIZE_PER_RUNTIME", "1",
                // Pools of fixed size (ceiling = floor), so tests can count containers; scaling tests raise it.
                "WARM_POOL_MAX_SIZE_PER_RUNTIME", "0",
                "WARM_POOL_GRACEFUL_SHUTDOWN", "5"));
        // Lets the same suite run under another OCI runtime: WARMBOX_OCI_RUNTIME=runsc ./scripts/test.sh
        String ociRuntime = System.getenv("WARMBOX_OCI_RUNTIME");
        if (ociRuntime != null && !ociRuntime.isBlank()) env.put("WARMBOX_OCI_RUNTIME", ociRuntime);
        env.putAll(overrides);
        return env;
    }

    /**
     * A server on this one's database, run directory and instance id, as after a restart; this one's
     * {@link #warmbox} must be closed first. The state directory passes to the new server, which deletes it
     * when it closes; closing this one afterwards then touches neither it nor the new server's containers.
     */
    public RunningServer restartedWith(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(overrides);
        env.put("WARMBOX_INSTANCE_ID", instanceId);
        if (dockerHost != null && !SUITE_RUNTIME.isEmpty()) env = new HashMap<>(underTheSuitesRuntime(env));
        if (dockerHost != null) env.putIfAbsent("DOCKER_HOST", dockerHost);
        handedOver = true;
        return new RunningServer(env, stateDir);
    }

    private static Path newStateDir() {
        try {
            return Files.createTempDirectory("warmbox-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> underTheSuitesRuntime(Map<String, String> overrides) {
        if (SUITE_RUNTIME.isEmpty() || overrides.containsKey("DOCKER_HOST")) return overrides;
        if (!SUITE_RUNTIME.equals("runsc")) throw new AssertionError("warmbox.it.ociRuntime knows only runsc, not " + SUITE_RUNTIME);
        Map<String, String> underGvisor = new HashMap<>(overrides);
        underGvisor.put("DOCKER_HOST", PrivateEngine.gvisor().dockerHost());
        underGvisor.put("WARMBOX_OCI_RUNTIME", "runsc");
        return underGvisor;
    }

    public static String newInstanceId() {
        return "it-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + warmbox.port() + path);
    }

    public HttpResponse<String> get(String path, String apiKey) {
        var request = HttpRequest.newBuilder(uri(path)).GET();
        if (apiKey != null) request.header("X-API-Key", apiKey);
        return send(request);
    }

    public HttpResponse<String> get(String path) {
        return get(path, API_KEY);
    }

    public HttpResponse<String> post(String path, String body, String contentType, String apiKey) {
        var request = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) request.header("Content-Type", contentType);
        if (apiKey != null) request.header("X-API-Key", apiKey);
        return send(request);
    }

    /** Any method, a JSON body (or null) and a key (or null). */
    public HttpResponse<String> request(String method, String path, String jsonBody, String apiKey) {
        var request = HttpRequest.newBuilder(uri(path)).method(method,
                jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (jsonBody != null) request.header("Content-Type", "application/json");
        if (apiKey != null) request.header("X-API-Key", apiKey);
        return send(request);
    }

    /** GET with exactly these headers (no key unless one of them carries it). */
    public HttpResponse<String> getWith(String path, Map<String, String> headers) {
        return requestWith("GET", path, headers, null);
    }

    /** Any method with exactly these headers and a body (or null). */
    public HttpResponse<String> requestWith(String method, String path, Map<String, String> headers, String body) {
        var request = HttpRequest.newBuilder(uri(path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return send(request);
    }

    /** POST /execute with the given fields; returns the parsed answer and fails on any non-200. */
    public JsonNode execute(Map<String, Object> fields) {
        HttpResponse<String> response = post("/execute", write(fields), "application/json", API_KEY);
        if (response.statusCode() != 200) {
            throw new AssertionError("POST /execute answered " + response.statusCode() + ": " + response.body());
        }
        return read(response.body());
    }

    /** Until {@code /health/ready} answers 200 (every pool warm once), for benchmarks outside this package. */
    public void awaitReady(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (get("/health/ready", null).statusCode() != 200) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("server not ready within " + within.toSeconds() + " s");
            Thread.sleep(200);
        }
    }

    public JsonNode status() {
        return read(get("/api/v1/warm-pool/status").body());
    }

    /** Every container of this server the engine knows, running or not. */
    public List<ContainerState> containers() {
        return engine.list(Map.of("warmbox.owner", instanceId));
    }

    public static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    public static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the server, removes its containers and deletes its state directory (unless handed over by a restart). */
    @Override
    public void close() {
        try {
            warmbox.close();
            if (!handedOver) {
                for (ContainerState leftover : containers()) engine.remove(leftover.id());
            }
        } finally {
            if (ownsEngineClient) engine.close();
            if (!handedOver) deleteRecursively(stateDir);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> entries = Files.walk(dir)) {
            for (Path entry : entries.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(entry);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the test server's state directory " + dir, e);
        }
    }
}
