package dev.warmbox.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The same hello world spawned directly on the host, no sandbox: what the targets compare
 * against. Interpreted languages start their interpreter per request; go and java compile and run per
 * request, as warmbox does inside a container. Each client works in its own temporary directory, so
 * concurrent compiles never share a source or output file.
 */
final class HostBaseline {
    // The flags warmbox's runtime images use (Language.compileCommand/runCommand), so the JVM start-up
    // is tuned the same way; javac's class-data archive exists only in the image, so it is left out here.
    private static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:-UsePerfData");
    private static final Map<String, String> GO_ENV = Map.of("GOTOOLCHAIN", "local", "GOFLAGS", "-buildvcs=false", "CGO_ENABLED", "0");

    private HostBaseline() {}

    /** What the baseline runs for a language, for the report; empty when the host lacks the tool. */
    static Optional<String> describe(String language) {
        return switch (language) {
            case "python" -> binary("/usr/bin/python3").map(p -> p + " -c \"print('hello')\"");
            case "javascript" -> binary("/usr/bin/node").map(p -> p + " -e \"console.log('hello')\"");
            case "go" -> goBinary().map(p -> p + " build -ldflags='-s -w' main.go && ./main");
            case "java" -> javaBinary("javac").map(p -> p + " Main.java && java " + String.join(" ", JVM_FLAGS) + " Main");
            default -> Optional.empty();
        };
    }

    /** A new client for one closed-loop thread; call only when {@link #describe} found the tool. */
    static ClosedLoop.Client client(Scenario scenario) {
        return switch (scenario.language()) {
            case "python" -> spawning(List.of(List.of(binary("/usr/bin/python3").orElseThrow(), "-c", "print('hello')")), null, Map.of(), null);
            case "javascript" -> spawning(List.of(List.of(binary("/usr/bin/node").orElseThrow(), "-e", "console.log('hello')")), null, Map.of(), null);
            case "go" -> compiling(scenario, "main.go", List.of(
                    List.of(goBinary().orElseThrow(), "build", "-ldflags=-s -w", "-o", "main", "main.go"), List.of("./main")), GO_ENV);
            case "java" -> {
                List<String> run = new ArrayList<>(List.of(javaBinary("java").orElseThrow()));
                run.addAll(JVM_FLAGS);
                run.addAll(List.of("-cp", ".", "Main"));
                List<String> javac = new ArrayList<>(List.of(javaBinary("javac").orElseThrow()));
                JVM_FLAGS.forEach(f -> javac.add("-J" + f));
                javac.addAll(List.of("-d", ".", "Main.java"));
                yield compiling(scenario, "Main.java", List.of(javac, run), Map.of());
            }
            default -> throw new IllegalArgumentException(scenario.language());
        };
    }

    private static ClosedLoop.Client compiling(Scenario scenario, String file, List<List<String>> steps, Map<String, String> env) {
        try {
            Path dir = Files.createTempDirectory("warmbox-bench-" + scenario.language() + "-");
            return spawning(steps, dir, env, request -> {
                try {
                    Files.writeString(dir.resolve(file), scenario.helloWorld(request));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the steps in order (after {@code writeSource}, when given); the last one's stdout must be the hello world's. */
    private static ClosedLoop.Client spawning(List<List<String>> steps, Path dir, Map<String, String> env,
                                              java.util.function.LongConsumer writeSource) {
        return new ClosedLoop.Client() {
            private long requests;

            @Override
            public ClosedLoop.Answer send() throws Exception {
                if (writeSource != null) writeSource.accept(requests++);
                String stdout = "";
                for (List<String> step : steps) {
                    var builder = new ProcessBuilder(step).redirectErrorStream(true);
                    if (dir != null) builder.directory(dir.toFile());
                    builder.environment().putAll(env);
                    Process p = builder.start();
                    stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (p.waitFor() != 0) return new ClosedLoop.Answer("exit " + p.exitValue(), null);
                }
                return new ClosedLoop.Answer(Scenario.EXPECTED_STDOUT.equals(stdout) ? Sample.OK : "wrong output", null);
            }

            @Override
            public void close() {
                if (dir != null) deleteTree(dir);
            }
        };
    }

    /** The real binary behind a path, not a version-manager shim that would add its own start-up. */
    private static Optional<String> binary(String path) {
        File f = new File(path);
        try {
            return f.canExecute() ? Optional.of(f.getCanonicalPath()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Debian's golang-go (/usr/lib/go-1.x), an upstream /usr/local/go, or go on PATH. */
    private static Optional<String> goBinary() {
        List<String> candidates = new ArrayList<>();
        File[] debian = new File("/usr/lib").listFiles((d, name) -> name.startsWith("go"));
        if (debian != null) Stream.of(debian).sorted(Comparator.reverseOrder()).forEach(d -> candidates.add(d + "/bin/go"));
        candidates.add("/usr/local/go/bin/go");
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) candidates.add(dir + "/go");
        return candidates.stream().map(HostBaseline::binary).flatMap(Optional::stream).findFirst();
    }

    /** The JDK running this benchmark (the script picks one of at least 21). */
    private static Optional<String> javaBinary(String tool) {
        return binary(System.getProperty("java.home") + "/bin/" + tool);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless; the figures are what matter here
        }
    }
}
