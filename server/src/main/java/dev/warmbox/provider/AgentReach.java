package dev.warmbox.provider;

/**
 * How the server reaches the agent in a sandbox of a provider (docs/agent-protocol.md).
 */
public enum AgentReach {
    /**
     * A Unix socket in a host directory bind-mounted into the container: the server and the engine
     * share a filesystem (Docker).
     */
    UNIX_SOCKET,
    /**
     * TCP at the container's address, every request presenting a per-sandbox secret that the
     * provider puts in a file only root can read inside it ({@link ContainerSpec.SecretFile}): the
     * server shares no filesystem with the sandbox (Kubernetes).
     */
    TCP
}
