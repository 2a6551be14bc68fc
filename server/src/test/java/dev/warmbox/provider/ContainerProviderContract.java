package dev.warmbox.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ContainerProvider} must do; each implementation subclasses this in a few lines.
 * Every container a test creates carries {@link #TEST_LABEL} with a value unique to that test, and is
 * removed by that label afterwards, so a failing test leaks nothing.
 */
abstract class ContainerProviderContract {
    static final String TEST_LABEL = "warmbox.contract-test";
    static final Duration GRACE = Duration.ofSeconds(2);

    private final String testId = UUID.randomUUID().toString().substring(0, 12);
    private final List<String> images = new ArrayList<>();

    protected abstract ContainerProvider provider();

    /** A local image whose {@link #longRunningCommand()} keeps running until stopped. */
    protected abstract String runnableImage();

    protected List<String> longRunningCommand() {
        return List.of("sleep", "infinity");
    }

    /** Removes a network a test made; the provider seam has no such operation. */
    protected abstract void removeNetwork(String name);

    private final List<String> networks = new ArrayList<>();

    @AfterEach
    void removeWhatTheTestCreated() {
        for (ContainerState leftover : provider().list(Map.of(TEST_LABEL, testId))) {
            provider().remove(leftover.id());
        }
        images.forEach(provider()::removeImage);
        networks.forEach(this::removeNetwork);
    }

    @Test
    void createdContainerHasNotStarted() {
        String id = provider().create(spec("created"));

        ContainerState state = provider().inspect(id).orElseThrow();
        assertThat(state.status()).as("a created container waits for start").isEqualTo(ContainerState.Status.CREATED);
        assertThat(state.startedAt()).as("it never started").isNull();
    }

    @Test
    void startedContainerRunsWithItsNameAndLabels() {
        ContainerSpec spec = spec("started", Map.of("warmbox.role", "probe"));
        String id = provider().create(spec);
        provider().start(id);

        ContainerState state = provider().inspect(id).orElseThrow();
        assertThat(state.id()).as("inspect reports the id create returned").isEqualTo(id);
        assertThat(state.name()).as("the name from the spec, without Docker's leading slash").isEqualTo(spec.name());
        assertThat(state.running()).as("started container %s should be running", id).isTrue();
        assertThat(state.labels()).as("labels are how leftovers are found").containsAllEntriesOf(spec.labels());
        assertThat(state.startedAt()).as("a started container has a start time").isNotNull();
    }

    @Test
    void listFindsOnlyContainersCarryingEveryLabel() {
        String wanted = provider().create(spec("wanted", Map.of("warmbox.role", "wanted")));
        String other = provider().create(spec("other"));
        provider().start(wanted);

        List<ContainerState> found = provider().list(Map.of(TEST_LABEL, testId, "warmbox.role", "wanted"));

        assertThat(found).extracting(ContainerState::id)
                .as("only the container with both labels, not %s which lacks one", other)
                .containsExactly(wanted);
        assertThat(found.getFirst().running()).as("list reports the live state").isTrue();
    }

    @Test
    void listIncludesStoppedContainers() {
        String id = provider().create(spec("never-started"));

        assertThat(provider().list(Map.of(TEST_LABEL, testId))).extracting(ContainerState::id)
                .as("cleanup must find containers that are not running").containsExactly(id);
    }

    @Test
    void listReportsEachContainersNameStatusLabelsAndAddressAsInspectDoes() {
        String running = startedContainer("listed-running");
        String created = provider().create(spec("listed-created", Map.of("warmbox.role", "created")));

        Map<String, ContainerState> listed = new HashMap<>();
        provider().list(Map.of(TEST_LABEL, testId)).forEach(state -> listed.put(state.id(), state));

        for (String id : List.of(running, created)) {
            ContainerState inspected = provider().inspect(id).orElseThrow();
            assertThat(listed.get(id)).as("listed %s", id).isNotNull();
            assertThat(listed.get(id).name()).as("name").isEqualTo(inspected.name());
            assertThat(listed.get(id).status()).as("status").isEqualTo(inspected.status());
            assertThat(listed.get(id).labels()).as("labels").isEqualTo(inspected.labels());
            assertThat(listed.get(id).ipAddress()).as("address").isEqualTo(inspected.ipAddress());
        }
        assertThat(listed.get(running).ipAddress()).as("a running container has an address in the list").isNotNull();
    }

    @Test
    void removedRunningContainerIsGone() {
        String id = startedContainer("removed");

        provider().remove(id);

        assertThat(provider().inspect(id)).as("remove kills and deletes a running container").isEmpty();
        assertThat(provider().list(Map.of(TEST_LABEL, testId))).as("nor is it listed").isEmpty();
    }

    @Test
    void removingOrStoppingAMissingContainerIsFine() {
        String missing = "warmbox-contract-missing-" + testId;

        assertThatCode(() -> provider().remove(missing)).as("remove of a gone container").doesNotThrowAnyException();
        if (provider().offers(Capability.SUSPEND_RESUME)) {
            assertThatCode(() -> provider().stop(missing, GRACE)).as("stop of a gone container").doesNotThrowAnyException();
        }
    }

    @Test
    void inspectingAMissingContainerIsEmpty() {
        assertThat(provider().inspect("warmbox-contract-missing-" + testId)).as("the engine does not know it").isEmpty();
    }

    @Test
    void startingAMissingContainerFailsNamingIt() {
        String missing = "warmbox-contract-missing-" + testId;

        assertThatThrownBy(() -> provider().start(missing))
                .as("start of a container that does not exist")
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining(missing);
    }

    @Test
    void creatingFromAMissingImageFailsNamingTheImage() {
        String image = "warmbox-contract/missing-" + testId + ":none";
        ContainerSpec spec = withImage(spec("no-image"), image);

        assertThatThrownBy(() -> provider().start(provider().create(spec)))
                .as("nothing is pulled, so a missing image must say which one (at create, or at start where a "
                        + "container runs as soon as it exists)")
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining(image);
    }

    @Test
    void creatingWithATakenNameFailsNamingIt() {
        ContainerSpec spec = spec("taken");
        provider().create(spec);

        assertThatThrownBy(() -> provider().create(spec))
                .as("names are unique; a second container under %s must fail", spec.name())
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining(spec.name());
    }

    @Test
    void startedContainerHasAnAddress() {
        String id = startedContainer("addressed");

        assertThat(provider().inspect(id).orElseThrow().ipAddress()).as("a running container on a network is reachable at an address").isNotBlank();
    }

    @Test
    void whatIsNotOfferedIsRefusedNamingTheCapability() {
        String id = startedContainer("refusals");
        Map<Capability, org.assertj.core.api.ThrowableAssert.ThrowingCallable> uses = Map.of(
                Capability.EXEC, () -> provider().exec(id, new ExecSpec(List.of("true"), null, null, List.of(), Duration.ofSeconds(10))),
                Capability.SNAPSHOTS, () -> provider().commit(id, "warmbox-contract/refused-" + testId + ":1", Map.of()),
                Capability.SUSPEND_RESUME, () -> provider().stop(id, GRACE),
                Capability.ISOLATED_NETWORK, () -> provider().ensureIsolatedNetwork("warmbox-contract-" + testId, Map.of()));
        for (Capability capability : Capability.values()) {
            if (provider().offers(capability)) continue;
            assertThatThrownBy(uses.get(capability)).as("%s is not offered", capability)
                    .isInstanceOfSatisfying(UnsupportedCapabilityException.class, e -> assertThat(e.capability()).isEqualTo(capability))
                    .hasMessageContaining(capability.name());
        }
        assertThat(provider().inspect(id).orElseThrow().running()).as("a refusal changes nothing").isTrue();
    }

    @Test
    void pingAnswers() {
        assertThat(provider().ping()).as("the engine under test is reachable").isTrue();
    }

    protected final String startedContainer(String role) {
        String id = provider().create(spec(role));
        provider().start(id);
        return id;
    }

    protected final ContainerSpec spec(String role) {
        return spec(role, Map.of());
    }

    /** A minimal spec named and labelled for this test, running {@link #longRunningCommand()}. */
    protected final ContainerSpec spec(String role, Map<String, String> extraLabels) {
        Map<String, String> labels = new HashMap<>(extraLabels);
        labels.put(TEST_LABEL, testId);
        return new ContainerSpec("warmbox-contract-" + testId + "-" + role, runnableImage(), labels, List.of(),
                longRunningCommand(), null, new ContainerSpec.Limits(0, 0, 0, 0), false, Map.of(), List.of(),
                null, null, false, null, true);
    }

    protected final String testId() {
        return testId;
    }

    static ContainerSpec withImage(ContainerSpec spec, String image) {
        return new ContainerSpec(spec.name(), image, spec.labels(), spec.env(), spec.command(), spec.user(),
                spec.limits(), spec.readOnlyRootfs(), spec.tmpfs(), spec.binds(), spec.networkMode(), spec.capAdd(),
                spec.noNewPrivileges(), spec.ociRuntime(), spec.init());
    }

    /**
     * {@link Capability#SUSPEND_RESUME}: stop, and start again with the writable layer kept. A provider offering it nests this class
     * ({@code @Nested class SuspendResumeContract extends SuspendResume {}}); one that does not is checked to refuse it by
     * {@link #whatIsNotOfferedIsRefusedNamingTheCapability}. Nothing here is skipped for anyone.
     */
    abstract class SuspendResume {
        @org.junit.jupiter.api.BeforeEach
        void offered() {
            assertThat(provider().offers(Capability.SUSPEND_RESUME)).as("%s offers SUSPEND_RESUME, which it nests this contract for", provider()).isTrue();
        }

        @Test
        void stoppedContainerHasExited() {
            String id = startedContainer("stopped");

            provider().stop(id, GRACE);

            ContainerState state = provider().inspect(id).orElseThrow();
            assertThat(state.running()).as("container %s was stopped", id).isFalse();
            assertThat(state.status()).isEqualTo(ContainerState.Status.EXITED);
        }

        @Test
        void stoppedContainerStartsAgain() {
            String id = startedContainer("restarted");
            provider().stop(id, GRACE);

            provider().start(id);

            assertThat(provider().inspect(id).orElseThrow().running()).as("a stopped container can be started again").isTrue();
        }

        @Test
        void stoppingTwiceIsFine() {
            String id = startedContainer("stopped-twice");
            provider().stop(id, GRACE);

            assertThatCode(() -> provider().stop(id, GRACE)).as("stop is idempotent").doesNotThrowAnyException();
        }
    }

    /**
     * {@link Capability#SNAPSHOTS}: commit a container to an image, list and remove images by label. A provider offering it nests this class
     * ({@code @Nested class SnapshotsContract extends Snapshots {}}); one that does not is checked to refuse it by
     * {@link #whatIsNotOfferedIsRefusedNamingTheCapability}. Nothing here is skipped for anyone.
     */
    abstract class Snapshots {
        @org.junit.jupiter.api.BeforeEach
        void offered() {
            assertThat(provider().offers(Capability.SNAPSHOTS)).as("%s offers SNAPSHOTS, which it nests this contract for", provider()).isTrue();
        }

        @Test
        void commitProducesAnImageContainersRunFrom() {
            String id = startedContainer("committed");
            String image = "warmbox-contract/" + testId + ":snapshot";
            images.add(image);

            String imageId = provider().commit(id, image, Map.of(TEST_LABEL, testId));

            assertThat(provider().imageExists(image)).as("committed image %s exists by reference", image).isTrue();
            assertThat(provider().imageExists(imageId)).as("and by the id commit returned").isTrue();
            String fromSnapshot = provider().create(withImage(spec("from-snapshot"), image));
            provider().start(fromSnapshot);
            assertThat(provider().inspect(fromSnapshot).orElseThrow().running()).as("the snapshot runs").isTrue();
        }

        @Test
        void listImagesFindsOnlyImagesCarryingEveryLabelWithTheirReferences() {
            String id = startedContainer("labelled-images");
            String wanted = "warmbox-contract/" + testId + ":wanted";
            String other = "warmbox-contract/" + testId + ":other";
            images.add(wanted);
            images.add(other);
            String wantedId = provider().commit(id, wanted, Map.of(TEST_LABEL, testId, "warmbox.role", "wanted"));
            provider().commit(id, other, Map.of(TEST_LABEL, testId));

            List<ImageState> found = provider().listImages(Map.of(TEST_LABEL, testId, "warmbox.role", "wanted"));

            assertThat(found).as("only the image with both labels").extracting(ImageState::id).containsExactly(wantedId);
            assertThat(found.getFirst().references()).as("listed by its reference").containsExactly(wanted);
            assertThat(found.getFirst().labels()).as("with its labels, how leftovers are told apart").containsEntry("warmbox.role", "wanted");
            assertThat(provider().listImages(Map.of(TEST_LABEL, testId))).as("both carry the test's label").hasSize(2);
        }

        @Test
        void removedImageIsGoneAndRemovingItAgainIsFine() {
            String id = startedContainer("removed-image");
            String image = "warmbox-contract/" + testId + ":removed";
            images.add(image);
            provider().commit(id, image, Map.of(TEST_LABEL, testId));

            provider().removeImage(image);

            assertThat(provider().imageExists(image)).as("removed").isFalse();
            assertThat(provider().listImages(Map.of(TEST_LABEL, testId))).as("and no longer listed").isEmpty();
            assertThatCode(() -> provider().removeImage(image)).as("an image already gone is fine").doesNotThrowAnyException();
        }

        @Test
        void removingAnImageAContainerStillUsesIsRefusedNamingItAndKeepsIt() {
            String id = startedContainer("used-image");
            String image = "warmbox-contract/" + testId + ":used";
            images.add(image);
            provider().commit(id, image, Map.of(TEST_LABEL, testId));
            provider().create(withImage(spec("from-used"), image)); // created, never started: still a user

            assertThatThrownBy(() -> provider().removeImage(image)).as("a container uses it").isInstanceOf(ProviderException.class)
                    .hasMessageContaining(image);
            assertThat(provider().imageExists(image)).as("the image stays").isTrue();
        }

        @Test
        void imageExistsOnlyForPresentImages() {
            assertThat(provider().imageExists(runnableImage())).as("the test image is present").isTrue();
            assertThat(provider().imageExists("warmbox-contract/missing-" + testId + ":none")).as("a made-up image").isFalse();
        }
    }

    /**
     * {@link Capability#EXEC}: a command run in a running container. A provider offering it nests this class
     * ({@code @Nested class ExecContract extends Exec {}}); one that does not is checked to refuse it by
     * {@link #whatIsNotOfferedIsRefusedNamingTheCapability}. Nothing here is skipped for anyone.
     */
    abstract class Exec {
        @org.junit.jupiter.api.BeforeEach
        void offered() {
            assertThat(provider().offers(Capability.EXEC)).as("%s offers EXEC, which it nests this contract for", provider()).isTrue();
        }

        @Test
        void execReturnsTheCommandsOutputAndExitCodeWithItsEnvironment() {
            String id = startedContainer("exec");

            ExecResult result = provider().exec(id, new ExecSpec(
                    List.of("sh", "-c", "echo \"$GREETING\"; echo oops >&2; exit 3"), null, "/", List.of("GREETING=hello there"),
                    Duration.ofSeconds(30)));

            assertThat(result.timedOut()).as("a short command finishes").isFalse();
            assertThat(result.exitCode()).as("the command's own exit code").isEqualTo(3);
            assertThat(result.stdout()).as("stdout, with the exec's variable expanded").isEqualTo("hello there\n");
            assertThat(result.stderr()).as("stderr kept apart").isEqualTo("oops\n");
        }

        @Test
        void execInAContainerThatDoesNotRunFailsNamingIt() {
            String id = provider().create(spec("exec-not-running"));

            assertThatThrownBy(() -> provider().exec(id, new ExecSpec(List.of("true"), null, null, List.of(), Duration.ofSeconds(10))))
                    .as("exec needs a running container")
                    .isInstanceOf(ProviderException.class)
                    .hasMessageContaining(id);
        }
    }

    /**
     * {@link Capability#ISOLATED_NETWORK}: a network whose containers cannot reach each other. A provider offering it nests this class
     * ({@code @Nested class IsolatedNetworkContract extends IsolatedNetwork {}}); one that does not is checked to refuse it by
     * {@link #whatIsNotOfferedIsRefusedNamingTheCapability}. Nothing here is skipped for anyone.
     */
    abstract class IsolatedNetwork {
        @org.junit.jupiter.api.BeforeEach
        void offered() {
            assertThat(provider().offers(Capability.ISOLATED_NETWORK)).as("%s offers ISOLATED_NETWORK, which it nests this contract for", provider()).isTrue();
        }

        @Test
        void ensureIsolatedNetworkCreatesOnceANetworkContainersRunOn() {
            String network = "warmbox-contract-" + testId;
            networks.add(network);

            provider().ensureIsolatedNetwork(network, Map.of(TEST_LABEL, testId));
            provider().ensureIsolatedNetwork(network, Map.of(TEST_LABEL, testId));

            ContainerSpec base = spec("on-network");
            String id = provider().create(new ContainerSpec(base.name(), base.image(), base.labels(), base.env(), base.command(), base.user(), base.limits(),
                    base.readOnlyRootfs(), base.tmpfs(), base.binds(), network, base.capAdd(), base.noNewPrivileges(), base.ociRuntime(), base.init()));
            provider().start(id);
            assertThat(provider().inspect(id).orElseThrow().ipAddress()).as("the container got an address on %s", network).isNotBlank();
        }

        @Test
        void ensureIsolatedNetworkRefusesANetworkWhereContainersReachEachOther() {
            assertThatThrownBy(() -> provider().ensureIsolatedNetwork("bridge", Map.of()))
                    .as("the engine's default bridge lets containers talk to each other")
                    .isInstanceOf(ProviderException.class)
                    .hasMessageContaining("bridge");
        }
    }
}
