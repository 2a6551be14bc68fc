package dev.warmbox.sandbox;

import java.nio.file.Path;
import java.time.Instant;

/**
 * One running sandbox container of a language, reachable through its agent socket.
 *
 * @param containerId engine id
 * @param name        container name (also the name of its socket directory)
 * @param socket      the agent's socket as seen from the server
 * @param createdAt   when it was launched; the TTL counts from here
 */
public record Sandbox(String containerId, String name, Language language, Path socket, Instant createdAt) {

    @Override
    public String toString() {
        return language.id() + " sandbox " + name;
    }
}
