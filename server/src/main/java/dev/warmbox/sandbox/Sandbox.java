package dev.warmbox.sandbox;

import java.time.Instant;

/**
 * One running sandbox container of a language, reachable through its agent.
 *
 * @param containerId engine id
 * @param name        container name (also the name of its socket directory)
 * @param agent       where the server reaches its agent
 * @param createdAt   when it was launched; the TTL counts from here
 */
public record Sandbox(String containerId, String name, Language language, AgentEndpoint agent, Instant createdAt) {

    @Override
    public String toString() {
        return language.id() + " sandbox " + name;
    }
}
