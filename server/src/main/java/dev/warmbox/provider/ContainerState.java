package dev.warmbox.provider;

import java.time.Instant;
import java.util.Map;

/**
 * What the engine reports about a container.
 *
 * @param startedAt when it last started, or null if it never did
 * @param exitCode  the last exit code, meaningful only when not running
 */
public record ContainerState(
        String id, String name, Status status, Map<String, String> labels, Instant startedAt, int exitCode) {

    public ContainerState {
        labels = Map.copyOf(labels);
    }

    public enum Status { CREATED, RUNNING, PAUSED, RESTARTING, EXITED, DEAD, REMOVING }

    public boolean running() {
        return status == Status.RUNNING;
    }
}
