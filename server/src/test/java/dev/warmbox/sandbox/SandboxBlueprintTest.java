package dev.warmbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmbox.config.WarmboxConfig;
import dev.warmbox.provider.ContainerSpec;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SandboxBlueprintTest {
    private static ContainerSpec spec(String ociRuntime, String pids) {
        WarmboxConfig config = WarmboxConfig.fromEnvironment(Map.of("WARMBOX_API_KEY", "wb_test_key", "WARMBOX_PIDS_LIMIT", pids));
        SandboxSettings settings = SandboxSettings.from(config);
        settings = new SandboxSettings(settings.instanceId(), settings.runDir(), settings.imagePrefix(),
                Optional.ofNullable(ociRuntime), settings.limits());
        return SandboxBlueprint.spec(settings, Language.PYTHON, "wb-test", Path.of("/tmp/agent"), true);
    }

    @Test
    void onASharedKernelThePidsCgroupIsTheLimitAndTheAgentSetsNoRlimit() {
        ContainerSpec spec = spec(null, "64");
        assertThat(spec.limits().pidsLimit()).isEqualTo(64);
        assertThat(spec.command()).as("RLIMIT_NPROC would count every sandbox of the host together").isEmpty();
    }

    @Test
    void underGvisorTheAgentBoundsTheUserAndTheCgroupKeepsOnlyABackstop() {
        for (String runtime : new String[] {"runsc", "runsc-kvm"}) {
            ContainerSpec spec = spec(runtime, "64");
            assertThat(spec.command()).as(runtime).containsExactly("-user-processes", "64");
            assertThat(spec.limits().pidsLimit()).as("a backstop far above the 64 processes: gVisor holds up to ~57 host threads per busy one")
                    .isEqualTo(64 * SandboxBlueprint.GVISOR_HOST_THREADS_PER_PROCESS + SandboxBlueprint.GVISOR_HOST_THREADS_IDLE);
            assertThat(spec.ociRuntime()).isEqualTo(runtime);
        }
    }

    @Test
    void underGvisorTheBackstopNeverTakesMoreThanItsShareOfTheHostsPidSpace() {
        assertThat(spec("runsc", "256").limits().pidsLimit()).isEqualTo(SandboxBlueprint.GVISOR_HOST_THREADS_MAX);
        assertThat(spec("runsc", "256").command()).containsExactly("-user-processes", "256");
    }

    @Test
    void noPidsLimitMeansNoneAnywhere() {
        assertThat(SandboxBlueprint.ProcessLimit.of(0, "runsc")).isEqualTo(new SandboxBlueprint.ProcessLimit(0, java.util.List.of()));
        assertThat(SandboxBlueprint.ProcessLimit.of(0, null)).isEqualTo(new SandboxBlueprint.ProcessLimit(0, java.util.List.of()));
    }

    @Test
    void overTcpTheAgentListensOnItsPortWithTheSecretInAFileAndNoHostDirectoryIsMounted() {
        SandboxSettings settings = SandboxSettings.from(WarmboxConfig.fromEnvironment(Map.of("WARMBOX_API_KEY", "wb_test_key")));
        ContainerSpec spec = SandboxBlueprint.tcpSpec(settings, Language.PYTHON, "wb-test", "s".repeat(64), true);

        assertThat(spec.command()).containsExactly("-listen", "tcp:" + SandboxBlueprint.AGENT_PORT, "-secret-file",
                SandboxBlueprint.AGENT_SECRET_FILE);
        assertThat(spec.secretFile().path()).isEqualTo(SandboxBlueprint.AGENT_SECRET_FILE);
        assertThat(spec.secretFile().content()).isEqualTo("s".repeat(64));
        assertThat(spec.secretFile().toString()).as("never printed").doesNotContain("sss");
        assertThat(spec.binds()).as("nothing of the server's host").isEmpty();
        ContainerSpec unix = SandboxBlueprint.spec(settings, Language.PYTHON, "wb-test", Path.of("/tmp/agent"), true);
        assertThat(spec).as("the same hardening otherwise").usingRecursiveComparison()
                .ignoringFields("command", "binds", "secretFile").isEqualTo(unix);
    }
}
