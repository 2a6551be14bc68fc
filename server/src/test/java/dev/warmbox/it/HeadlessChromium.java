package dev.warmbox.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Debian's Chromium, headless, driven over the DevTools protocol with the JDK's own HTTP and WebSocket
 * client: no driver binary and no browser download, just the {@code chromium} package that
 * scripts/lib.sh installs. One page; {@link #call} sends a command to it and waits for the answer.
 */
final class HeadlessChromium implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_DEADLINE = Duration.ofSeconds(60);

    private final Path profile;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final java.util.Queue<JsonNode> events = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final WebSocket page;

    HeadlessChromium() throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new AssertionError(BINARY + " is missing; ./scripts/test.sh installs Debian's chromium");
        }
        profile = Files.createTempDirectory("warmbox-chromium-");
        process = new ProcessBuilder(command(profile))
                .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
        try {
            int port = devToolsPort();
            page = http.newWebSocketBuilder().buildAsync(URI.create(pageWebSocket(port)), new Answers())
                    .orTimeout(30, TimeUnit.SECONDS).join();
        } catch (RuntimeException | IOException e) {
            close();
            throw e;
        }
    }

    /**
     * Flags that work as root in a container-less CI: no sandbox, no GPU, no first-run, and nothing
     * that talks to the network on its own. Host names other than the loopback address resolve to
     * nothing, so the page can reach the test's server and no one else.
     */
    private static List<String> command(Path profile) {
        return List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--no-default-browser-check", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--disable-breakpad", "--disable-domain-reliability",
                "--metrics-recording-only", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                "--window-size=1000,700", "--user-data-dir=" + profile, "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0", "about:blank");
    }

    /** Chromium writes the port it chose into DevToolsActivePort in the profile once it listens. */
    private int devToolsPort() {
        Path portFile = profile.resolve("DevToolsActivePort");
        await("Chromium's DevTools port").atMost(START_DEADLINE).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) throw new AssertionError("Chromium exited: " + Files.readString(profile.resolve("chromium.log")));
            return Files.exists(portFile) && Files.readAllLines(portFile).size() >= 2;
        });
        try {
            return Integer.parseInt(Files.readAllLines(portFile).get(0).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String pageWebSocket(int port) throws IOException {
        try {
            HttpResponse<String> targets = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            for (JsonNode target : JSON.readTree(targets.body())) {
                if ("page".equals(target.path("type").asText())) return target.get("webSocketDebuggerUrl").asText();
            }
            throw new AssertionError("Chromium has no page target: " + targets.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends a DevTools command to the page and returns its result; a protocol error fails the test. */
    JsonNode call(String method, Map<String, Object> params) {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", JSON.valueToTree(params));
        page.sendText(message.toString(), true).orTimeout(10, TimeUnit.SECONDS).join();
        JsonNode response = answer.orTimeout(60, TimeUnit.SECONDS).join();
        if (response.has("error")) throw new AssertionError(method + " failed: " + response.get("error"));
        return response.get("result");
    }

    /** Evaluates a JavaScript expression in the page and returns its value. */
    JsonNode evaluate(String expression) {
        JsonNode result = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        if (result.has("exceptionDetails")) throw new AssertionError("page threw: " + result.get("exceptionDetails"));
        return result.path("result").path("value");
    }

    /** The parameters of every event of this method the page sent so far (a domain's events come once it is enabled). */
    List<JsonNode> events(String method) {
        return events.stream().filter(e -> method.equals(e.path("method").asText())).map(e -> e.path("params")).toList();
    }

    @Override
    public void close() {
        if (page != null) page.abort();
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : all) {
            try {
                handle.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception stillRunning) {
                handle.destroyForcibly();
            }
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // A temporary profile left behind costs disk only.
        }
    }

    /** Collects whole messages (Chromium splits large ones) and completes the matching call. */
    private final class Answers implements WebSocket.Listener {
        private final StringBuilder message = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                try {
                    JsonNode answer = JSON.readTree(message.toString());
                    CompletableFuture<JsonNode> waiting = answer.has("id") ? pending.remove(answer.get("id").asInt()) : null;
                    if (waiting != null) waiting.complete(answer);
                    else if (answer.has("method")) events.add(answer);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } finally {
                    message.setLength(0);
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
