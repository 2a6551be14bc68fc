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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A real warmbox for integration tests: real engine, real SQLite file, real HTTP on a loopback port.
 * Each server gets its own instance id, so its containers are told apart from any other server's.
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

    /**
     * The OCI runtime the suite's second run of the hostile-code classes asks for ({@code -Dwarmbox.it.ociRuntime=runsc},
     * set by failsafe's {@code hostile-code-under-gvisor} execution): its servers drive a private engine
     * with runsc registered, so the engine the suite found is never reconfigured.
     */
    /** The tag of the classes the suite runs under every runtime: code written to break out or bring a sandbox down. */
    public static final String HOSTILE = "hostile";

    static final String SUITE_RUNTIME = System.getProperty("warmbox.it.ociRuntime", "");

    public RunningServer(Map<String, String> overrides) {
        overrides = underTheSuitesRuntime(overrides);
        ownsEngineClient = overrides.containsKey("DOCKER_HOST");
        if (ownsEngineClient) {
            engine = new DockerContainerProvider(overrides.get("DOCKER_HOST"));
        } else {
            Engine.requireAvailable();
            engine = Engine.provider();
        }
        instanceId = overrides.getOrDefault("WARMBOX_INSTANCE_ID", newInstanceId());
        try {
            stateDir = Files.createTempDirectory("warmbox-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        warmbox = Warmbox.start(WarmboxConfig.fromEnvironment(env), Clock.systemUTC());
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

    @Override
    public void close() {
        warmbox.close();
        for (ContainerState leftover : containers()) engine.remove(leftover.id());
        if (ownsEngineClient) engine.close();
    }
}
