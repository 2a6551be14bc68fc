package dev.warmbox.sandbox;

import java.nio.file.Path;
import java.util.Objects;

/** Where the server reaches one sandbox's agent (docs/agent-protocol.md). */
public sealed interface AgentEndpoint {

    /** A Unix socket in a host directory bind-mounted into the sandbox (Docker). */
    record UnixSocket(Path path) implements AgentEndpoint {
        public UnixSocket {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }

    /**
     * A TCP port at the sandbox's address, each request preceded by the sandbox's secret line
     * (Kubernetes). {@code toString} never shows the secret.
     */
    record Tcp(String host, int port, String secret) implements AgentEndpoint {
        public Tcp {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(secret, "secret");
        }

        @Override
        public String toString() {
            return "tcp://" + host + ":" + port;
        }
    }
}
