package dev.warmbox.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The repository's compose.yaml run under a project name of its own, with whichever compose tool is
 * installed. Everything it creates is told apart by that name: the compose project, the sandboxes'
 * instance id, a run directory under /tmp, and a server image tag of this checkout.
 */
final class ComposeStack implements AutoCloseable {
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(10);

    final String project = "wbit" + UUID.randomUUID().toString().substring(0, 8);
    private final Path root = Path.of("").toAbsolutePath().getParent();
    private final List<String> compose = composeCommand();
    private final Path runDir;
    private final Path emptyEnvFile;
    private final String image;
    private final String previousImageId;
    private final Map<String, String> environment;

    ComposeStack(int hostPort, String apiKey) {
        if (!Files.isRegularFile(root.resolve("server/target/warmbox-server.jar"))) {
            throw new AssertionError("server/target/warmbox-server.jar is missing: the compose test runs after `package`");
        }
        try {
            // Short and world-traversable: the server (uid 10001) reaches its directory below, and the
            // agent socket path must stay under 108 bytes.
            runDir = Files.createTempDirectory(Path.of("/tmp"), "wbc-");
            Files.setPosixFilePermissions(runDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            emptyEnvFile = Files.createTempFile("warmbox-compose-it-", ".env");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // One tag per checkout: concurrent runs from other checkouts on this engine never start this jar.
        image = "warmbox/server:it-" + HexFormat.of().toHexDigits(root.toString().hashCode());
        previousImageId = imageId(image);
        environment = Map.of(
                "COMPOSE_PROJECT_NAME", project,
                "WARMBOX_SERVER_IMAGE", image,
                "WARMBOX_HOST_PORT", Integer.toString(hostPort),
                "WARMBOX_INSTANCE_ID", project,
                "WARMBOX_RUN_DIR", runDir.toString(),
                "WARMBOX_API_KEY", apiKey,
                "WARMBOX_OCI_RUNTIME", System.getenv().getOrDefault("WARMBOX_OCI_RUNTIME", ""),
                "WARM_POOL_SIZE_PER_RUNTIME", "1",
                "WARM_POOL_GRACEFUL_SHUTDOWN", "5",
                "WARMBOX_STOP_GRACE_PERIOD", "60s");
    }

    /** Runs one compose command for this project; fails with its output when it does not exit 0. */
    String run(String... arguments) {
        List<String> command = new ArrayList<>(compose);
        // An empty env file: a developer's .env in the checkout must not change what the test runs.
        command.addAll(List.of("-f", root.resolve("compose.yaml").toString(), "--project-directory", root.toString(),
                "--env-file", emptyEnvFile.toString()));
        command.addAll(List.of(arguments));
        return exec(command, environment);
    }

    /** Sandbox containers of this stack's server, running or not. */
    List<String> containersOfInstance() {
        return lines(docker("ps", "-aq", "--filter", "label=warmbox.owner=" + project));
    }

    /** Containers, volumes and networks compose made for this project that still exist. */
    List<String> leftovers() {
        String label = "label=com.docker.compose.project=" + project;
        List<String> left = new ArrayList<>();
        lines(docker("ps", "-aq", "--filter", label)).forEach(id -> left.add("container " + id));
        lines(docker("volume", "ls", "-q", "--filter", label)).forEach(v -> left.add("volume " + v));
        lines(docker("network", "ls", "-q", "--filter", label)).forEach(n -> left.add("network " + n));
        return left;
    }

    /** The uid the server's java process runs as, seen from the host. */
    String serverJavaUid() {
        for (String line : lines(docker("top", serverContainer(), "-eo", "pid,uid,args"))) {
            if (line.contains("warmbox-server.jar")) return line.split("\\s+")[1];
        }
        throw new AssertionError("no java process in the server container");
    }

    int serverExitCode() {
        return Integer.parseInt(docker("inspect", "-f", "{{.State.ExitCode}}", serverContainer()).trim());
    }

    private String serverContainer() {
        List<String> ids = lines(docker("ps", "-aq", "--filter", "label=com.docker.compose.project=" + project,
                "--filter", "label=com.docker.compose.service=server"));
        if (ids.size() != 1) throw new AssertionError("expected one server container in " + project + ", found " + ids);
        return ids.get(0);
    }

    /** Takes the stack down whatever state it is in, and removes what the test made on the host. */
    @Override
    public void close() {
        try {
            run("down", "-v", "--remove-orphans", "--timeout", "60");
        } finally {
            for (String id : containersOfInstance()) docker("rm", "-f", id);
            String currentImageId = imageId(image);
            // The image this run replaced: gone, so runs do not pile up images; shared layers stay cached.
            if (previousImageId != null && !previousImageId.equals(currentImageId)) tryDocker("rmi", previousImageId);
            deleteRecursively(runDir);
            try {
                Files.deleteIfExists(emptyEnvFile);
            } catch (IOException e) {
                // A temp file; nothing depends on it.
            }
        }
    }

    private static String imageId(String reference) {
        String id = tryDocker("image", "inspect", "-f", "{{.Id}}", reference);
        return id == null ? null : id.trim();
    }

    private static List<String> composeCommand() {
        if (tryExec(List.of("docker", "compose", "version")) != null) return List.of("docker", "compose");
        if (tryExec(List.of("docker-compose", "version")) != null) return List.of("docker-compose");
        throw new AssertionError("neither `docker compose` nor `docker-compose` is installed; ./scripts/test.sh installs it");
    }

    private static String docker(String... arguments) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(arguments));
        return exec(command, Map.of());
    }

    private static String tryDocker(String... arguments) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(arguments));
        return tryExec(command);
    }

    private static String tryExec(List<String> command) {
        try {
            return exec(command, Map.of());
        } catch (AssertionError | UncheckedIOException e) {
            return null;
        }
    }

    private static String exec(List<String> command, Map<String, String> environment) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // Nothing of the caller's warmbox or compose settings leaks into the stack.
        builder.environment().keySet().removeIf(k -> k.startsWith("WARMBOX_") || k.startsWith("WARM_POOL_") || k.startsWith("COMPOSE_"));
        builder.environment().putAll(environment);
        Path output = null;
        try {
            // Output to a file, not a pipe: the deadline holds even when the command never closes its output.
            output = Files.createTempFile("warmbox-compose-it-", ".out");
            Process process = builder.redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT);
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " exited " + process.exitValue() + ":\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (output != null) output.toFile().delete();
        }
    }

    private static List<String> lines(String output) {
        return output.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> entries = Files.walk(dir)) {
            entries.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // Already gone.
        }
    }
}
