package dev.warmbox.sandbox;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Talks to the agent in a sandbox over its Unix socket: one JSON line out, one JSON line back
 * (docs/agent-protocol.md). A deadline closes the channel, which unblocks a read that would hang.
 */
final class AgentClient {
    private final ObjectMapper json;
    private final ScheduledExecutorService deadlines;

    AgentClient(ObjectMapper json, ScheduledExecutorService deadlines) {
        this.json = json.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        this.deadlines = deadlines;
    }

    ObjectMapper json() {
        return json;
    }

    /**
     * Sends one request and returns the agent's answer.
     *
     * @throws SandboxException with {@code unreachable} set when the agent never took the request
     */
    JsonNode call(Path socket, Object request, Duration timeout, long maxResponseBytes) {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new SandboxException("agent at " + socket + " is unreachable: " + e.getMessage(), e, true);
        }
        ScheduledFuture<?> deadline = deadlines.schedule(() -> closeQuietly(channel), timeout.toMillis(), TimeUnit.MILLISECONDS);
        try (channel) {
            byte[] body = json.writeValueAsBytes(request);
            ByteBuffer out = ByteBuffer.allocate(body.length + 1).put(body).put((byte) '\n').flip();
            while (out.hasRemaining()) channel.write(out);
            return json.readTree(readLine(channel, maxResponseBytes, socket));
        } catch (IOException e) {
            String why = deadline.isDone() ? "did not answer within " + timeout.toMillis() + " ms" : e.getMessage();
            throw new SandboxException("agent at " + socket + " failed: " + why, e, false);
        } finally {
            deadline.cancel(false);
        }
    }

    private static byte[] readLine(SocketChannel channel, long maxBytes, Path socket) throws IOException {
        var received = new ByteArrayOutputStream(1024);
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        while (channel.read(buffer) >= 0) {
            buffer.flip();
            byte[] chunk = new byte[buffer.remaining()];
            buffer.get(chunk).clear();
            received.write(chunk);
            if (received.size() > maxBytes) throw new IOException("answer larger than " + maxBytes + " bytes");
            if (chunk.length > 0 && chunk[chunk.length - 1] == '\n') break;
        }
        if (received.size() == 0) throw new IOException("agent at " + socket + " closed without answering");
        return received.toByteArray();
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing is how a deadline unblocks the reader; a failure to close changes nothing.
        }
    }
}
