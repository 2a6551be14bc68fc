package dev.warmbox.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmbox.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/start.sh against a stand-in server (a fake JAVA_HOME whose java prints what Main prints) and
 * stand-ins for docker, mvn and curl: no build, no engine, only what start.sh does with the server's log.
 */
class StartScriptTest {
    /**
     * Stands in for {@code java -jar warmbox-server.jar}, in the order of a start at its worst: ready first
     * (/health/ready can answer before Main prints anything), and only once start.sh has seen it ready the
     * key banner (while no key is stored yet: no database) and the listening line.
     */
    private static final String SERVER = """
            #!/usr/bin/env bash
            trap 'exit 0' TERM
            : >"$FAKE_DIR/ready"
            for _ in $(seq 1 200); do [ -f "$FAKE_DIR/asked" ] && break; sleep 0.05; done
            if [ ! -f "$WARMBOX_DB_PATH" ]; then : >"$WARMBOX_DB_PATH"; cat "$FAKE_DIR/banner"; fi
            cat "$FAKE_DIR/listening"
            sleep 300 &
            wait
            """;
    /** /health/ready: answers once the stand-in server is ready, and says it was asked. */
    private static final String CURL = """
            #!/usr/bin/env bash
            [ -f "$FAKE_DIR/ready" ] || exit 7
            : >"$FAKE_DIR/asked"
            """;

    @TempDir
    Path dir;

    @AfterEach
    void stopTheStandIn() throws Exception {
        stopServer();
    }

    @Test
    void theGeneratedAdminKeyIsShownByTheStartThatGeneratedItAndNotByTheNextAndTheCliIsInstalledOnce() throws Exception {
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String key = "wb_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        prepare(key);

        String first = start();
        assertThat(first).as("the first start shows the key it generated, even though ready came before the banner")
                .contains("the admin key generated at first start").contains(key);

        stopServer();
        String second = start();
        assertThat(second).as("a second start is ready").contains("warmbox is ready");
        assertThat(second).as("shown once: the key of the first start, still in the log, is not shown again")
                .doesNotContain(key).doesNotContain("the admin key generated");
        assertThat(Files.readString(dir.resolve("state/server.log"))).as("the log keeps it").contains(key);
        assertThat(first).as("the CLI is installed by the first start").contains("installed the warmbox CLI as " + dir.resolve("prefix/bin/warmbox"));
        assertThat(second).as("and left as it is by the next").doesNotContain("installed the warmbox CLI");
        assertThat(Files.readString(dir.resolve("prefix/bin/warmbox"))).as("the launcher runs the installed jar with the JDK start.sh found")
                .contains(dir.resolve("jdk/bin/java").toString()).contains(dir.resolve("prefix/lib/warmbox/warmbox-cli.jar").toString());
        assertThat(Files.readString(dir.resolve("prefix/lib/warmbox/warmbox-cli.jar"))).isEqualTo("stand-in CLI jar");
    }

    private void prepare(String key) throws IOException {
        Files.createDirectories(dir.resolve("fake"));
        Files.writeString(dir.resolve("fake/banner"), Main.keyBanner(key) + "\n");
        Files.writeString(dir.resolve("fake/listening"), Main.listening(18002) + "\n");
        executable("jdk/bin/java", SERVER);
        executable("jdk/bin/javac", "#!/bin/sh\necho 'javac 25.0.1'\n");
        executable("bin/curl", CURL);
        Files.writeString(dir.resolve("fake/warmbox-cli.jar"), "stand-in CLI jar");
        executable("bin/docker", "#!/bin/sh\nexit 0\n"); // engine answers, images present, builds succeed
        executable("bin/mvn", "#!/bin/sh\nexit 0\n"); // the jar is built
        executable("bin/sudo", "#!/bin/sh\nexec \"$@\"\n"); // start.sh makes the run dir as root
    }

    /** Runs start.sh to its end; returns what it printed. */
    private String start() throws IOException, InterruptedException {
        Files.deleteIfExists(dir.resolve("fake/ready"));
        Files.deleteIfExists(dir.resolve("fake/asked"));
        ProcessBuilder builder = new ProcessBuilder("bash", root().resolve("scripts/start.sh").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("start.out").toFile());
        Map<String, String> env = builder.environment();
        env.remove("WARMBOX_DB_PATH");
        env.put("PATH", dir.resolve("bin") + ":" + env.get("PATH"));
        env.put("JAVA_HOME", dir.resolve("jdk").toString());
        env.put("WARMBOX_STATE_DIR", dir.resolve("state").toString());
        env.put("WARMBOX_RUN_DIR", dir.resolve("run").toString());
        env.put("WARMBOX_PORT", "18002");
        env.put("FAKE_DIR", dir.resolve("fake").toString());
        // The CLI goes into the test's own prefix, from a stand-in jar (the stand-in mvn builds nothing).
        env.put("WARMBOX_CLI_JAR", dir.resolve("fake/warmbox-cli.jar").toString());
        env.put("WARMBOX_CLI_PREFIX", dir.resolve("prefix").toString());
        Process start = builder.start();
        assertThat(start.waitFor(60, TimeUnit.SECONDS)).as("start.sh ends").isTrue();
        String output = Files.readString(dir.resolve("start.out"), StandardCharsets.UTF_8);
        assertThat(start.exitValue()).as("start.sh succeeded: %s", output).isZero();
        return output;
    }

    /** Stops the stand-in server start.sh left running, with its sleep. */
    private void stopServer() throws Exception {
        Path pidFile = dir.resolve("state/server.pid");
        if (!Files.exists(pidFile)) return;
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        var server = ProcessHandle.of(pid)
                .filter(p -> p.info().commandLine().orElse("").contains(dir.resolve("jdk/bin/java").toString()));
        if (server.isEmpty()) return; // gone, and the pid may be another process's by now
        server.get().descendants().forEach(ProcessHandle::destroyForcibly);
        server.get().destroyForcibly();
        server.get().onExit().get(10, TimeUnit.SECONDS);
        Files.delete(pidFile);
    }

    private void executable(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Path root() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/start.sh"))) return d;
        }
        throw new AssertionError("scripts/start.sh not found above " + Path.of("").toAbsolutePath());
    }
}
