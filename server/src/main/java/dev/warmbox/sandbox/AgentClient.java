package dev.warmbox.sandbox;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Talks to the agent in a sandbox, over its Unix socket or over TCP with the sandbox's secret line
 * first: one JSON line out, one JSON line back (docs/agent-protocol.md). A deadline closes the
 * channel, which unblocks a read (or a TCP connect) that would hang.
 */
final class AgentClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
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
    JsonNode call(AgentEndpoint endpoint, Object request, Duration timeout, long maxResponseBytes) {
        SocketChannel channel = connect(endpoint, timeout);
        ScheduledFuture<?> deadline = deadlines.schedule(() -> closeQuietly(channel), timeout.toMillis(), TimeUnit.MILLISECONDS);
        try (channel) {
            byte[] secretLine = endpoint instanceof AgentEndpoint.Tcp tcp
                    ? (tcp.secret() + "\n").getBytes(StandardCharsets.US_ASCII) : new byte[0];
            byte[] body = json.writeValueAsBytes(request);
            ByteBuffer out = ByteBuffer.allocate(secretLine.length + body.length + 1).put(secretLine).put(body)
                    .put((byte) '\n').flip();
            while (out.hasRemaining()) channel.write(out);
            return json.readTree(readLine(channel, maxResponseBytes, endpoint));
        } catch (IOException e) {
            String why = deadline.isDone() ? "did not answer within " + timeout.toMillis() + " ms" : e.getMessage();
            throw new SandboxException("agent at " + endpoint + " failed: " + why, e, false);
        } finally {
            deadline.cancel(false);
        }
    }

    /**
     * Connects within the call's timeout. Over TCP a connect to an address nobody answers at would
     * otherwise wait for the kernel's own timeout; a refused or timed-out connect is "unreachable",
     * like a Unix socket not there yet, so a launch keeps waiting for its agent.
     */
    private static SocketChannel connect(AgentEndpoint endpoint, Duration timeout) {
        try {
            return switch (endpoint) {
                case AgentEndpoint.UnixSocket unix -> SocketChannel.open(UnixDomainSocketAddress.of(unix.path()));
                case AgentEndpoint.Tcp tcp -> {
                    SocketChannel channel = SocketChannel.open();
                    try {
                        channel.socket().connect(new InetSocketAddress(tcp.host(), tcp.port()),
                                (int) Math.min(timeout.toMillis(), CONNECT_TIMEOUT.toMillis()));
                        channel.socket().setTcpNoDelay(true);
                    } catch (IOException e) {
                        channel.close();
                        throw e;
                    }
                    yield channel;
                }
            };
        } catch (IOException e) {
            throw new SandboxException("agent at " + endpoint + " is unreachable: " + e.getMessage(), e, true);
        }
    }

    private static byte[] readLine(SocketChannel channel, long maxBytes, AgentEndpoint endpoint) throws IOException {
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
        if (received.size() == 0) throw new IOException("agent at " + endpoint + " closed without answering");
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
