package dev.warmbox.provider;

import java.time.Instant;
import java.util.Map;

/**
 * What the engine reports about a container.
 *
 * @param startedAt when it last started, or null if it never did
 * @param exitCode  the last exit code, meaningful only when not running
 * @param ipAddress the container's address on its (first) network while it runs, or null
 * @param oomKilled whether the kernel's OOM killer ended it (inspect's; a listing says false)
 */
public record ContainerState(
        String id, String name, Status status, Map<String, String> labels, Instant startedAt, int exitCode,
        String ipAddress, boolean oomKilled) {

    public ContainerState {
        labels = Map.copyOf(labels);
        if (ipAddress != null && ipAddress.isEmpty()) ipAddress = null;
    }

    public ContainerState(String id, String name, Status status, Map<String, String> labels, Instant startedAt, int exitCode) {
        this(id, name, status, labels, startedAt, exitCode, null, false);
    }

    public ContainerState(String id, String name, Status status, Map<String, String> labels, Instant startedAt, int exitCode,
            String ipAddress) {
        this(id, name, status, labels, startedAt, exitCode, ipAddress, false);
    }

    public enum Status { CREATED, RUNNING, PAUSED, RESTARTING, EXITED, DEAD, REMOVING }

    public boolean running() {
        return status == Status.RUNNING;
    }
}
