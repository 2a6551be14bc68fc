package dev.warmbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warmbox.config.WarmboxConfig;
import dev.warmbox.provider.ContainerProvider;
import dev.warmbox.provider.DockerContainerProvider;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A health check on the real engine: what it costs in engine calls, and what it says of a stopped container. */
class HealthCheckCostIT {
    private final DockerContainerProvider engine = new DockerContainerProvider(
            System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock"));
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor();
    private final List<Sandbox> launched = new ArrayList<>();
    private ContainerSandboxes sandboxes;

    @TempDir
    Path runDir;

    @AfterEach
    void removeEverything() {
        launched.forEach(sandboxes::destroy);
        sandboxes.sweepStrays();
        deadlines.shutdownNow();
        engine.close();
    }

    @Test
    void healthySandboxesAreCheckedWithoutAnEngineCallAndAStoppedOneIsNamed() {
        SandboxSettings settings = SandboxSettings.from(WarmboxConfig.fromEnvironment(Map.of(
                "WARMBOX_RUN_DIR", runDir.toString(), "WARMBOX_INSTANCE_ID", "it-" + UUID.randomUUID().toString().substring(0, 8))));
        sandboxes = new ContainerSandboxes(counting(engine), settings, new ObjectMapper(), deadlines, Clock.systemUTC());
        for (int i = 0; i < 3; i++) launched.add(sandboxes.launch(Language.PYTHON, false));
        calls.clear();

        for (Sandbox sandbox : launched) assertThat(sandboxes.check(sandbox).healthy()).as("%s is healthy", sandbox).isTrue();
        assertThat(calls).as("engine calls for three healthy checks").isEmpty();

        engine.stop(launched.getFirst().containerId(), Duration.ZERO);
        Health stopped = sandboxes.check(launched.getFirst());
        assertThat(stopped.healthy()).isFalse();
        assertThat(stopped.reason()).isEqualTo("container is exited");
        assertThat(calls).as("only the failed one is inspected").containsExactly("inspect");
    }

    private ContainerProvider counting(ContainerProvider real) {
        return (ContainerProvider) Proxy.newProxyInstance(ContainerProvider.class.getClassLoader(), new Class<?>[] {ContainerProvider.class},
                (proxy, method, args) -> {
                    calls.add(method.getName());
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
