package dev.warmbox.sandbox;

import java.time.Duration;
import java.util.List;

/** One validated execution, ready for a sandbox. */
public record Job(
        Language language, String code, String stdin, List<String> args, List<SourceFile> files,
        Duration timeout, Duration compileTimeout, int outputLimitBytes) {

    public Job {
        args = List.copyOf(args);
        files = List.copyOf(files);
    }

    /** A file written next to the code. */
    public record SourceFile(String name, String content) {}
}
