package dev.warmbox.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/lib.sh's {@code server_running}, which start.sh and stop.sh trust before they act on a pid file. */
class ServerPidFileTest {
    @TempDir
    Path dir;

    @Test
    void aLivePidThatIsNotThisCheckoutsServerIsNotTakenForIt() throws Exception {
        Process stranger = new ProcessBuilder("sleep", "60").start();
        try {
            Path pidFile = Files.writeString(dir.resolve("server.pid"), stranger.pid() + "\n");
            assertThat(serverRunning(pidFile)).as("a recycled pid (a live sleep) is not the server").isNotZero();
        } finally {
            stranger.destroyForcibly();
        }
    }

    @Test
    void aProcessRunningThisCheckoutsJarIsTheServer() throws Exception {
        Path jar = root().resolve("server/target/warmbox-server.jar");
        // A process with this checkout's jar as an argument, as `java -jar <jar>` has it.
        Process server = new ProcessBuilder("bash", "-c", "sleep 60; true", jar.toString()).start();
        try {
            Path pidFile = Files.writeString(dir.resolve("server.pid"), String.valueOf(server.pid()));
            assertThat(serverRunning(pidFile)).isZero();
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void noPidFileOrGarbageInItIsNotRunning() throws Exception {
        assertThat(serverRunning(dir.resolve("missing.pid"))).isNotZero();
        assertThat(serverRunning(Files.writeString(dir.resolve("garbage.pid"), "12; rm -rf /"))).isNotZero();
    }

    private static int serverRunning(Path pidFile) throws IOException, InterruptedException {
        Process check = new ProcessBuilder("bash", "-c", "source \"$0/scripts/lib.sh\" && server_running \"$1\"",
                root().toString(), pidFile.toString()).redirectErrorStream(true).start();
        assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return check.exitValue();
    }

    private static Path root() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/lib.sh"))) return d;
        }
        throw new AssertionError("scripts/lib.sh not found above " + Path.of("").toAbsolutePath());
    }
}
