package dev.warmbox.provider;

/** How an exec ended; output is what the command wrote, capped by the provider. */
public record ExecResult(int exitCode, String stdout, String stderr, boolean timedOut) {
    public boolean succeeded() {
        return !timedOut && exitCode == 0;
    }

    /** Both streams, for logs and failure messages. */
    public String output() {
        return stderr.isEmpty() ? stdout : stdout.isEmpty() ? stderr : stdout + stderr;
    }
}
