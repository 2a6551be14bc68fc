package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmbox.provider.ContainerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server process itself fails: killed with SIGKILL and started again, or started on a database it cannot write. */
class RestartIT {
    private static final Pattern GENERATED_KEY = Pattern.compile("^\\s+(wb_\\S+)$", Pattern.MULTILINE);
    private static final String HELLO = "{\"language\": \"python\", \"code\": \"print('hello')\"}";

    private Path state;
    private String instanceId;
    private final List<Path> immutable = new java.util.ArrayList<>();

    @BeforeEach
    void createState() throws IOException {
        state = Files.createTempDirectory("warmbox-restart-");
        instanceId = RunningServer.newInstanceId();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Path path : immutable) chattr("-i", path);
        for (ContainerState leftover : containers()) Engine.provider().remove(leftover.id());
    }

    private Map<String, String> variables() {
        Map<String, String> variables = new HashMap<>(Map.of(
                "WARMBOX_DB_PATH", state.resolve("db").resolve("warmbox.db").toString(),
                "WARMBOX_RUN_DIR", state.resolve("run").toString(),
                "WARMBOX_INSTANCE_ID", instanceId,
                "WARM_POOL_SIZE_PER_RUNTIME", "0",
                "WARM_POOL_PYTHON_SIZE", "1",
                "WARM_POOL_GRACEFUL_SHUTDOWN", "5"));
        String ociRuntime = System.getenv("WARMBOX_OCI_RUNTIME");
        if (ociRuntime != null && !ociRuntime.isBlank()) variables.put("WARMBOX_OCI_RUNTIME", ociRuntime);
        return variables;
    }

    private List<ContainerState> containers() {
        return Engine.provider().list(Map.of("warmbox.owner", instanceId));
    }

    @Test
    void aServerKilledWithSigkillComesBackWithItsKeysAndWithoutLeftovers() throws Exception {
        Engine.requireAvailable();
        Files.createDirectories(state.resolve("db"));
        String key;
        List<String> firstContainers;
        try (ServerProcess first = ServerProcess.start(variables(), state.resolve("first.log"))) {
            first.awaitReady();
            Matcher generated = GENERATED_KEY.matcher(first.output());
            assertThat(generated.find()).as("the first start prints the key it generated:\n%s", first.output()).isTrue();
            key = generated.group(1);
            assertThat(first.post("/execute", HELLO, key).statusCode()).isEqualTo(200);
            firstContainers = containers().stream().map(ContainerState::id).toList();
            first.kill();
        }
        assertThat(containers()).as("SIGKILL left the pool's containers behind").isNotEmpty();

        try (ServerProcess second = ServerProcess.start(variables(), state.resolve("second.log"))) {
            second.awaitReady();
            assertThat(second.output()).as("no new key: the stored one survived").doesNotContain("generated this admin key");
            assertThat(second.get("/api/v1/warm-pool/status", key).statusCode()).as("the first run's key still works").isEqualTo(200);
            assertThat(second.post("/execute", HELLO, key).body()).contains("\"stdout\":\"hello\\n\"");
            assertThat(containers()).hasSize(1).noneMatch(c -> firstContainers.contains(c.id()));
        }
        assertThat(containers()).as("a graceful stop removes every container").isEmpty();
    }

    @Test
    void aDatabaseDirectoryThatCannotBeWrittenStopsStartUpWithAMessage() throws Exception {
        Path dir = Files.createDirectories(state.resolve("db"));
        makeImmutable(dir);
        assertRefusedToStart("the directory " + dir + " is not writable");
    }

    @Test
    void aDatabaseFileThatCannotBeWrittenStopsStartUpWithAMessage() throws Exception {
        Path dir = Files.createDirectories(state.resolve("db"));
        Map<String, String> noPools = new HashMap<>(variables());
        noPools.put("WARM_POOL_ENABLED", "false");
        try (ServerProcess once = ServerProcess.start(noPools, state.resolve("once.log"))) {
            once.awaitReady();
        }
        makeImmutable(dir.resolve("warmbox.db"));
        assertRefusedToStart("the database file " + dir.resolve("warmbox.db") + " is read-only");
    }

    @Test
    void anEngineThatDoesNotAnswerStopsStartUpWithOneLine() {
        assertRefusedToStart(Map.of("DOCKER_HOST", "unix://" + state.resolve("no-engine.sock")),
                "no container engine answers at DOCKER_HOST=unix://" + state.resolve("no-engine.sock"));
    }

    @Test
    void aSeedFileThatIsNotJsonStopsStartUpWithOneLine() throws Exception {
        Path seed = Files.writeString(state.resolve("seed.json"), "{\"projects\": [ {bad");
        assertRefusedToStart(Map.of("DEVENV_SEED_FILE", seed.toString()), "DEVENV_SEED_FILE " + seed + " is not valid JSON (at line 1");
    }

    @Test
    void aMissingSeedFileStopsStartUpWithOneLine() {
        Path seed = state.resolve("absent.json");
        assertRefusedToStart(Map.of("DEVENV_SEED_FILE", seed.toString()), "DEVENV_SEED_FILE " + seed + " cannot be read (no such file)");
    }

    @Test
    void aPortInUseStopsStartUpWithOneLine() throws Exception {
        try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertRefusedToStart(Map.of("WARMBOX_PORT", String.valueOf(taken.getLocalPort()), "WARMBOX_BIND_ADDRESS", "127.0.0.1"),
                    "port " + taken.getLocalPort() + " (WARMBOX_PORT) is already in use");
        }
    }

    private void assertRefusedToStart(String reason) {
        assertRefusedToStart(Map.of(), reason);
    }

    private void assertRefusedToStart(Map<String, String> overrides, String reason) {
        Map<String, String> variables = new HashMap<>(variables());
        variables.putAll(overrides);
        ServerProcess server = ServerProcess.start(variables, state.resolve("refused.log"));
        assertThat(server.awaitExit(Duration.ofSeconds(60))).as(server.output()).isEqualTo(2);
        assertThat(server.output()).contains("warmbox cannot start: " + reason)
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(server.output().lines().filter(line -> line.contains("cannot start"))).as("one line says why").hasSize(1);
        assertThat(containers()).as("nothing was started").isEmpty();
    }

    /** Root may write anywhere, but not into an immutable file or directory (chattr +i). */
    private void makeImmutable(Path path) throws Exception {
        chattr("+i", path);
        immutable.add(path);
        assertThat(Files.isWritable(path)).as("chattr +i took effect on " + path).isFalse();
    }

    private static void chattr(String flag, Path path) throws Exception {
        Process p = new ProcessBuilder("chattr", flag, path.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new AssertionError("chattr " + flag + " " + path + " failed: " + output);
    }
}
