package dev.warmbox.it;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** A terminal of devenv-sample over WebSocket: raw bytes in, raw terminal output collected. */
final class TerminalClient implements AutoCloseable {
    static final Duration OUTPUT_DEADLINE = Duration.ofSeconds(30);
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final StringBuffer output = new StringBuffer();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WebSocket socket;

    private TerminalClient(URI uri, Map<String, String> headers) {
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        headers.forEach(builder::header);
        socket = builder.buildAsync(uri, new Collector()).orTimeout(30, TimeUnit.SECONDS).join();
    }

    /** Opens a terminal; throws (a CompletionException around WebSocketHandshakeException) when refused. */
    static TerminalClient open(URI uri, Map<String, String> headers) {
        return new TerminalClient(uri, headers);
    }

    /** Types a command line and waits until the output holds {@code expected}; returns all output so far. */
    String run(String commandLine, String expected) {
        // Binary, as the terminal page sends it: websocketd appends a line break to every text frame.
        socket.sendBinary(ByteBuffer.wrap((commandLine + "\n").getBytes(StandardCharsets.UTF_8)), true)
                .orTimeout(10, TimeUnit.SECONDS).join();
        await("terminal output containing " + expected).atMost(OUTPUT_DEADLINE).pollInterval(Duration.ofMillis(50))
                .until(() -> output.toString().contains(expected));
        return output.toString();
    }

    /** The close code the server sent, once it closed the terminal. */
    int awaitClosed() {
        return closed.orTimeout(OUTPUT_DEADLINE.toSeconds(), TimeUnit.SECONDS).join();
    }

    @Override
    public void close() {
        socket.abort();
    }

    private final class Collector implements WebSocket.Listener {
        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            output.append(data);
            webSocket.request(1);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            // Terminal output may split a UTF-8 sequence between frames; the commands checked are ASCII.
            output.append(StandardCharsets.UTF_8.decode(data));
            webSocket.request(1);
            return CompletableFuture.completedFuture(null);
        }
    }
}
