package dev.warmbox.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract against the real engine; a missing engine fails the build rather than skipping. */
class DockerContainerProviderIT extends ContainerProviderContract {
    @Nested
    class SuspendResumeContract extends SuspendResume {}

    @Nested
    class SnapshotsContract extends Snapshots {}

    @Nested
    class ExecContract extends Exec {}

    @Nested
    class IsolatedNetworkContract extends IsolatedNetwork {}

    private static final String DOCKER_HOST = System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock");
    private static final DockerContainerProvider docker = new DockerContainerProvider(DOCKER_HOST);

    @BeforeAll
    static void engineAnswers() {
        assertThat(docker.ping()).as("a Docker engine must answer at %s (these tests fail, never skip, without one)",
                DOCKER_HOST).isTrue();
    }

    @AfterAll
    static void closeClient() {
        docker.close();
    }

    @Override
    protected ContainerProvider provider() {
        return docker;
    }

    @Override
    protected String runnableImage() {
        return "debian:trixie-slim";
    }

    @Override
    protected void removeNetwork(String name) {
        docker.removeNetwork(name);
    }

    @Test
    void anExecThatTimesOutIsKilledWithItsChildren() {
        String id = startedContainer("exec-timeout");

        ExecResult result = docker.exec(id, ExecSpec.shell("sleep 300 & sleep 301; echo never", null, null, List.of(), Duration.ofSeconds(1)));

        assertThat(result.timedOut()).as("the exec outlived its timeout").isTrue();
        ExecResult left = docker.exec(id, ExecSpec.shell(
                "for c in /proc/[0-9]*/cmdline; do tr '\\0' ' ' <\"$c\" 2>/dev/null; echo; done | grep -c '^sleep 30[01]' || true",
                null, null, List.of(), Duration.ofSeconds(10)));
        assertThat(left.stdout().strip()).as("sleeps of the timed-out exec still running").isEqualTo("0");
    }

    @Test
    void hardenedSpecRunsWithEveryLimitApplied(@TempDir Path shared) throws Exception {
        ContainerSpec base = spec("hardened");
        ContainerSpec spec = new ContainerSpec(base.name(), base.image(), base.labels(), List.of("WARMBOX=1"),
                base.command(), "10000", new ContainerSpec.Limits(256L << 20, 500_000_000L, 64, 16L << 20), true,
                Map.of("/tmp", "rw,noexec,nosuid,size=16m"), List.of(new ContainerSpec.Bind(shared.toString(), "/shared", true)),
                "none", List.of("KILL", "CAP_SETUID"), true, null, true);
        Files.writeString(shared.resolve("probe"), "x");
        String id = docker.create(spec);
        docker.start(id);

        assertThat(docker.inspect(id).orElseThrow().running()).as("the engine accepts and runs the hardened spec").isTrue();
        try (DockerClient raw = DockerContainerProvider.connect(DOCKER_HOST)) {
            HostConfig host = raw.inspectContainerCmd(id).exec().getHostConfig();
            assertThat(host.getMemory()).as("memory limit").isEqualTo(256L << 20);
            assertThat(host.getMemorySwap()).as("swap equals memory: no swap").isEqualTo(256L << 20);
            assertThat(host.getNanoCPUs()).as("cpu limit").isEqualTo(500_000_000L);
            assertThat(host.getPidsLimit()).as("pids limit").isEqualTo(64L);
            assertThat(host.getShmSize()).as("/dev/shm size").isEqualTo(16L << 20);
            assertThat(host.getReadonlyRootfs()).as("read-only root").isTrue();
            assertThat(host.getTmpFs()).as("tmpfs mounts").containsEntry("/tmp", "rw,noexec,nosuid,size=16m");
            assertThat(host.getNetworkMode()).as("no network").isEqualTo("none");
            assertThat(host.getCapDrop()).as("every capability dropped").containsExactly(Capability.ALL);
            assertThat(host.getCapAdd()).as("only the named ones kept").containsExactlyInAnyOrder(Capability.KILL, Capability.SETUID);
            assertThat(host.getSecurityOpts()).as("no new privileges").containsExactly("no-new-privileges");
            assertThat(host.getInit()).as("an init reaps orphans").isTrue();
            assertThat(host.getBinds()).extracting(b -> b.getPath() + ":" + b.getVolume().getPath() + ":" + b.getAccessMode())
                    .as("the bind, read-only").containsExactly(shared + ":/shared:ro");
        }
    }
}
