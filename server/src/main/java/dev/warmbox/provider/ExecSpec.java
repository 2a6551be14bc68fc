package dev.warmbox.provider;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A command run inside a running container (development environments only: sandboxes talk to their
 * agent instead, because an engine exec costs ~40 ms).
 *
 * @param user       user or uid[:gid] to run as, or null for the image's user
 * @param workingDir directory to run in, or null for the image's
 * @param env        extra {@code KEY=VALUE} variables for this command only
 * @param timeout    how long to wait for it; past it the result says {@code timedOut}
 */
public record ExecSpec(List<String> command, String user, String workingDir, List<String> env, Duration timeout) {
    public ExecSpec {
        command = List.copyOf(command);
        if (command.isEmpty()) throw new IllegalArgumentException("an exec needs a command");
        env = List.copyOf(env);
        Objects.requireNonNull(timeout, "timeout");
    }

    /** A shell command line run by {@code sh -c}. */
    public static ExecSpec shell(String commandLine, String user, String workingDir, List<String> env, Duration timeout) {
        return new ExecSpec(List.of("sh", "-c", commandLine), user, workingDir, env, timeout);
    }
}
