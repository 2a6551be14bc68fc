package dev.warmbox.sandbox;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What one process (compile or run) did, as the agent reports it. */
public record StepResult(
        String stdout,
        String stderr,
        @JsonProperty("exit_code") int exitCode,
        String signal,
        @JsonProperty("timed_out") boolean timedOut,
        @JsonProperty("output_truncated") boolean outputTruncated,
        @JsonProperty("duration_ms") long durationMs) {}
