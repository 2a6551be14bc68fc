package dev.warmbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warmbox.config.WarmboxConfig;
import dev.warmbox.provider.ContainerSpec;
import dev.warmbox.provider.ContainerState;
import dev.warmbox.provider.FakeContainerProvider;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The housekeeper's sweep of containers labelled with this instance that no live sandbox is. */
class StraySweepTest {
    private static final String IMAGE = "warmbox/runtime-python:latest";
    private final FakeContainerProvider engine = new FakeContainerProvider(IMAGE);
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor();

    @TempDir
    Path runDir;

    @AfterEach
    void stop() {
        deadlines.shutdownNow();
    }

    @Test
    void aStrayThatCannotBeRemovedFailsAloneAndIsRetriedNextRound() {
        SandboxSettings settings = SandboxSettings.from(WarmboxConfig.fromEnvironment(Map.of(
                "WARMBOX_RUN_DIR", runDir.toString(), "WARMBOX_INSTANCE_ID", "sweep")));
        ContainerSandboxes sandboxes = new ContainerSandboxes(engine, settings, new ObjectMapper(), deadlines, Clock.systemUTC());
        for (String name : List.of("stray-a", "stray-stuck", "stray-b")) stray(name, "sweep");
        stray("other-server", "someone-else");
        engine.failRemovalsOf("stray-stuck", "device or resource busy");

        assertThat(sandboxes.sweepStrays()).as("the removable strays, despite the stuck one between them")
                .containsExactlyInAnyOrder("stray-a", "stray-b");
        assertThat(names()).containsExactlyInAnyOrder("stray-stuck", "other-server");
        assertThat(sandboxes.sweepStrays()).as("the next round tries the stuck one again, and only it").isEmpty();
        assertThat(engine.calls().stream().filter(c -> c.operation().equals("remove")).count()).isEqualTo(4);
    }

    private void stray(String name, String owner) {
        engine.create(new ContainerSpec(name, IMAGE, SandboxBlueprint.ownedBy(owner), List.of(), List.of("sleep", "infinity"), null,
                new ContainerSpec.Limits(0, 0, 0, 0), false, Map.of(), List.of(), null, null, false, null, true));
    }

    private List<String> names() {
        return engine.list(Map.of()).stream().map(ContainerState::name).toList();
    }
}
