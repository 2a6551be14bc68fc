package dev.warmbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmbox.provider.ContainerSpec;
import dev.warmbox.provider.ContainerState;
import dev.warmbox.provider.FakeContainerProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a dead server left of its sandboxes, removed by another: its containers by label and its run directory, nothing else. */
class LeftoverSandboxesTest {
    private static final String IMAGE = "warmbox/runtime-python:latest";
    private final FakeContainerProvider engine = new FakeContainerProvider(IMAGE);

    @TempDir
    Path runDir;

    @Test
    void removesTheDeadServersContainersAndRunDirectoryAndLeavesEveryoneElsesAlone() throws IOException {
        for (String name : List.of("dead-1", "dead-2")) container(name, SandboxBlueprint.ownedBy("dead"));
        container("alive-1", SandboxBlueprint.ownedBy("alive"));
        container("devenv-of-dead", Map.of("warmbox.managed", "true", "warmbox.devenv", "dead"));
        Files.createDirectories(runDir.resolve("dead").resolve("dead-1"));
        Files.writeString(runDir.resolve("dead").resolve("dead-1").resolve("agent.sock"), "");
        Files.createDirectories(runDir.resolve("alive").resolve("alive-1"));

        assertThat(new LeftoverSandboxes(engine, runDir).removeOwnedBy("dead")).as("nothing of it left").isTrue();

        assertThat(names()).as("only the dead server's sandboxes; its development environments are the reconciler's")
                .containsExactlyInAnyOrder("alive-1", "devenv-of-dead");
        assertThat(runDir.resolve("dead")).doesNotExist();
        assertThat(runDir.resolve("alive").resolve("alive-1")).isDirectory();
    }

    @Test
    void aContainerThatCannotBeRemovedFailsAloneAndKeepsTheRunDirectoryForTheNextTry() throws IOException {
        for (String name : List.of("dead-1", "dead-stuck", "dead-2")) container(name, SandboxBlueprint.ownedBy("dead"));
        Files.createDirectories(runDir.resolve("dead"));
        engine.failRemovalsOf("dead-stuck", "device or resource busy");
        LeftoverSandboxes leftovers = new LeftoverSandboxes(engine, runDir);

        assertThat(leftovers.removeOwnedBy("dead")).as("one is left: the row stays for the next round").isFalse();
        assertThat(names()).containsExactly("dead-stuck");
        assertThat(runDir.resolve("dead")).isDirectory();

        engine.healRemovals();
        assertThat(leftovers.removeOwnedBy("dead")).isTrue();
        assertThat(names()).isEmpty();
        assertThat(runDir.resolve("dead")).doesNotExist();
    }

    @Test
    void aServerThatRanElsewhereHasNoRunDirectoryHereAndAnEngineThatIsAwayIsNotNothingLeft() {
        LeftoverSandboxes leftovers = new LeftoverSandboxes(engine, runDir);
        assertThat(leftovers.removeOwnedBy("elsewhere")).isTrue();
        assertThat(leftovers.removeOwnedBy("..")).as("an id that is not a plain name touches nothing outside the run directory").isTrue();
        assertThat(runDir.getParent()).isDirectory();

        container("dead-1", SandboxBlueprint.ownedBy("dead"));
        engine.setReachable(false);
        assertThat(leftovers.removeOwnedBy("dead")).as("the engine could not say what is left").isFalse();
        engine.setReachable(true);
        assertThat(names()).containsExactly("dead-1");
    }

    private void container(String name, Map<String, String> labels) {
        engine.create(new ContainerSpec(name, IMAGE, labels, List.of(), List.of("sleep", "infinity"), null,
                new ContainerSpec.Limits(0, 0, 0, 0), false, Map.of(), List.of(), null, null, false, null, true));
    }

    private List<String> names() {
        return engine.list(Map.of()).stream().map(ContainerState::name).toList();
    }
}
