package dev.warmbox.execution;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.warmbox.sandbox.StepResult;

/**
 * The answer of {@code POST /execute}. A program that fails is still a result, with its exit code.
 * When compilation fails nothing runs: {@code compile} carries the error and {@code exit_code} repeats
 * the compiler's, so a client that only checks the exit code still sees the failure.
 *
 * @param durationMs time the server spent on the request: getting a sandbox, compiling and running
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ExecutionResult(
        String language,
        String version,
        String stdout,
        String stderr,
        @JsonProperty("exit_code") int exitCode,
        String signal,
        @JsonProperty("timed_out") boolean timedOut,
        @JsonProperty("output_truncated") boolean outputTruncated,
        @JsonProperty("duration_ms") long durationMs,
        String pool,
        Compile compile) {

    /** The compile step of go and java. */
    public record Compile(
            String stdout, String stderr, @JsonProperty("exit_code") int exitCode,
            @JsonProperty("duration_ms") long durationMs) {

        static Compile of(StepResult step) {
            return step == null ? null : new Compile(step.stdout(), step.stderr(), step.exitCode(), step.durationMs());
        }
    }
}
