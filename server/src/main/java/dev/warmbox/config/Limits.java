package dev.warmbox.config;

import java.time.Duration;

/** What one execution may use, and what one request may carry. */
public record Limits(
        Duration defaultTimeout,
        Duration maxTimeout,
        Duration compileTimeout,
        long memoryBytes,
        double cpus,
        int pids,
        long tmpfsBytes,
        int outputBytes,
        int codeBytes,
        int stdinBytes,
        int maxFiles,
        int fileBytes,
        int maxArgs,
        int maxConcurrentExecutions) {

    public Limits {
        if (defaultTimeout.compareTo(maxTimeout) > 0) {
            throw new ConfigException("WARMBOX_TIMEOUT_DEFAULT_MS (" + defaultTimeout.toMillis()
                    + ") must not exceed WARMBOX_TIMEOUT_MAX_MS (" + maxTimeout.toMillis() + ")");
        }
    }

    /** How {@link #maxRequestBytes()} follows from the variables, for messages that name the limit. */
    public static final String MAX_REQUEST_RULE =
            "6 x (WARMBOX_CODE_MAX + WARMBOX_STDIN_MAX + WARMBOX_FILES_MAX x WARMBOX_FILE_MAX) + 64 KiB";

    /** The largest request body that can be valid; larger bodies are refused before parsing. */
    public long maxRequestBytes() {
        // JSON escaping can grow text up to 6x (\\uXXXX); leave room for it and the envelope.
        return 6L * (codeBytes + stdinBytes + (long) maxFiles * fileBytes) + 64 * 1024;
    }
}
