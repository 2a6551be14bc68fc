package dev.warmbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warmbox.config.WarmboxConfig;
import dev.warmbox.provider.ContainerSpec;
import dev.warmbox.provider.DockerContainerProvider;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract against the real engine and agent, with the python runtime image; a missing engine fails
 * the build rather than skipping. Each test has its own instance id, so its cleanup by label removes
 * only what it started.
 */
class DockerSandboxesIT extends SandboxesContract {
    private static final String DOCKER_HOST = System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock");
    private static final DockerContainerProvider engine = new DockerContainerProvider(DOCKER_HOST);
    private static final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("contract-agent-deadlines").daemon(true).unstarted(r));

    private final String instanceId = "it-" + UUID.randomUUID().toString().substring(0, 8);
    private SandboxSettings settings;
    private ContainerSandboxes sandboxes;

    @TempDir
    Path runDir;

    @BeforeAll
    static void engineAnswers() {
        assertThat(engine.ping()).as("a Docker engine must answer at %s (these tests fail, never skip, without one)", DOCKER_HOST).isTrue();
    }

    @AfterAll
    static void closeClient() {
        deadlines.shutdownNow();
        engine.close();
    }

    @BeforeEach
    void sandboxesOfThisTest() {
        settings = SandboxSettings.from(WarmboxConfig.fromEnvironment(Map.of(
                "WARMBOX_RUN_DIR", runDir.toString(), "WARMBOX_INSTANCE_ID", instanceId)));
        sandboxes = new ContainerSandboxes(engine, settings, new ObjectMapper(), deadlines, Clock.systemUTC());
    }

    @Override
    protected Sandboxes sandboxes() {
        return sandboxes;
    }

    @Override
    protected void stopFromOutside(Sandbox sandbox) {
        engine.stop(sandbox.containerId(), Duration.ZERO);
    }

    @Override
    protected String leaveStray() {
        String name = "warmbox-" + instanceId + "-stray";
        engine.create(new ContainerSpec(name, settings.image(Language.PYTHON), SandboxBlueprint.ownedBy(instanceId), List.of(),
                List.of("sleep", "infinity"), null, new ContainerSpec.Limits(0, 0, 0, 0), false, Map.of(), List.of(), "none", null,
                false, null, true));
        return name;
    }
}
