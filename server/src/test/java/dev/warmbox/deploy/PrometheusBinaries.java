package dev.warmbox.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Debian's {@code prometheus} and {@code promtool}, which the tests need and never skip without. */
public final class PrometheusBinaries {
    private PrometheusBinaries() {}

    /** The binary on PATH; fails (never skips) when it is not installed. */
    public static Path require(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) return candidate;
        }
        throw new AssertionError(name + " is not installed (not on PATH): scripts/test.sh installs Debian's prometheus package "
                + "(scripts/lib.sh ensure_prometheus); on Debian: apt-get install --no-install-recommends prometheus");
    }

    public record Result(int exitCode, String output) {}

    /** Runs {@code promtool} with these arguments in {@code dir}, output and errors together. */
    public static Result promtool(Path dir, String... arguments) {
        List<String> command = new ArrayList<>(List.of(require("promtool").toString()));
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            Duration limit = Duration.ofSeconds(60);
            if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + limit.toSeconds() + " s");
            }
            return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
