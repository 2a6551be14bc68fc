package dev.warmbox.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/lib.sh's install_cli with this build's jar into a prefix of the test's, and the launcher it
 * writes run as a user runs it: the version, and an exit code and one-line message passed through the sh
 * launcher and the JVM's class-data archive (created by the first run, used by the next).
 */
class InstallIT {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private Run run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", System.getenv("PATH"));
        env.put("HOME", dir.resolve("home").toString());
        env.put("JAVA_HOME", Path.of(System.getProperty("java.home")).toString());
        env.put("WARMBOX_CLI_JAR", CliProcess.JAR.toString());
        env.put("WARMBOX_CLI_PREFIX", dir.resolve("prefix").toString());
        Process process = builder.start();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("%s ends", command).isTrue();
        return new Run(process.exitValue(), Files.readString(dir.resolve("out"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
    }

    private Run install() throws IOException, InterruptedException {
        Path lib = Path.of("..", "scripts", "lib.sh").toAbsolutePath().normalize();
        return run(List.of("bash", "-c", "source '" + lib + "' && install_cli"));
    }

    @Test
    void installsTheLauncherOnceAndItRunsTheCliWithItsExitCodes() throws Exception {
        Run first = install();
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.err()).contains("installed the warmbox CLI as " + dir.resolve("prefix/bin/warmbox"));
        Run again = install();
        assertThat(again.code()).isZero();
        assertThat(again.err()).as("nothing changed, nothing said").doesNotContain("installed");
        assertThat(Files.mismatch(CliProcess.JAR, dir.resolve("prefix/lib/warmbox/warmbox-cli.jar"))).isEqualTo(-1L);

        String warmbox = dir.resolve("prefix/bin/warmbox").toString();
        Run version = run(List.of(warmbox, "--version"));
        assertThat(version.code()).isZero();
        assertThat(version.out()).startsWith("warmbox CLI ");

        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        for (int i = 0; i < 2; i++) {
            Run down = run(List.of(warmbox, "--server", "http://127.0.0.1:" + port, "--api-key", "k", "pools"));
            assertThat(down.code()).isEqualTo(69);
            assertThat(down.err()).as("one line, nothing from the JVM").isEqualTo("warmbox: cannot reach the warmbox server at http://127.0.0.1:"
                    + port + " (from --server): connection refused\n");
        }
        assertThat(dir.resolve("home/.cache/warmbox/warmbox-cli.jsa")).as("the class-data archive the first run made").isRegularFile();
    }
}
