package dev.warmbox.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/kubernetes.sh on a directory holding no node (WARMBOX_KUBE_DIR): what test.sh decides on
 * ({@code status}) and what a start without a build does, neither touching the machine. The node itself
 * is tested by {@code KubernetesNodeIT}.
 */
class KubernetesScriptTest {
    @TempDir
    Path dir;

    @Test
    void statusOfADirectoryWithNoNodeSaysNothingRunsAndFails() throws Exception {
        Result status = run("status");
        assertThat(status.code()).as("test.sh starts a node when status fails: %s", status.output()).isNotZero();
        assertThat(status.output()).contains("etcd: not running", "kube-apiserver: not running", "kubelet: not running",
                "node localhost: not Ready");
    }

    @Test
    void startWithoutABuildRefusesNamingTheBuildAndStartsNothing() throws Exception {
        Result start = run("start");
        assertThat(start.code()).isNotZero();
        assertThat(start.output()).as("root is needed before anything else; then the build").containsAnyOf(
                "run 'scripts/kubernetes.sh build' first", "the kubelet needs root");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("nothing but the lock file").allMatch(".lock"::equals);
        }
    }

    @Test
    void stopOfADirectoryThatDoesNotExistIsANoOp() throws Exception {
        Result stop = run("stop", dir.resolve("missing"));
        assertThat(stop.code()).as(stop.output()).isZero();
        assertThat(stop.output()).contains("no node here");
        assertThat(dir.resolve("missing")).doesNotExist();
    }

    private record Result(int code, String output) {}

    private Result run(String command) throws IOException, InterruptedException {
        return run(command, dir);
    }

    private static Result run(String command, Path kubeDir) throws IOException, InterruptedException {
        var builder = new ProcessBuilder(root().resolve("scripts/kubernetes.sh").toString(), command).redirectErrorStream(true);
        builder.environment().put("WARMBOX_KUBE_DIR", kubeDir.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private static Path root() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/kubernetes.sh"))) return d;
        }
        throw new AssertionError("scripts/kubernetes.sh not found above " + Path.of("").toAbsolutePath());
    }
}
