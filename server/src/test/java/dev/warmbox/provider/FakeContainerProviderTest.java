package dev.warmbox.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FakeContainerProviderTest extends ContainerProviderContract {
    @Nested
    class SuspendResumeContract extends SuspendResume {}

    @Nested
    class SnapshotsContract extends Snapshots {}

    @Nested
    class ExecContract extends Exec {}

    @Nested
    class IsolatedNetworkContract extends IsolatedNetwork {}

    private final FakeContainerProvider fake = new FakeContainerProvider(runnableImage());

    @Override
    protected ContainerProvider provider() {
        return fake;
    }

    @Override
    protected String runnableImage() {
        return "fake/runnable:latest";
    }

    @Override
    protected void removeNetwork(String name) {
        fake.removeNetwork(name);
    }

    @Test
    void failsExactlyTheRequestedNumberOfCreates() {
        fake.failNextCreates(2, "disk full");

        assertThatThrownBy(() -> fake.create(spec("first"))).as("first create").hasMessageContaining("disk full");
        assertThatThrownBy(() -> fake.create(spec("second"))).as("second create").hasMessageContaining("disk full");
        assertThat(fake.create(spec("third"))).as("the third create succeeds again").isNotBlank();
        assertThat(fake.callCount("create")).as("failed creates are recorded too").isEqualTo(3);
    }

    @Test
    void killedContainerHasExitedButStillExists() {
        String id = startedContainer("killed");

        fake.kill(id);

        ContainerState state = fake.inspect(id).orElseThrow();
        assertThat(state.status()).as("a killed container is exited, not removed").isEqualTo(ContainerState.Status.EXITED);
        assertThat(state.exitCode()).isEqualTo(FakeContainerProvider.KILLED_EXIT_CODE);
    }

    @Test
    void vanishedContainerIsGoneWithoutARecordedRemove() {
        String id = startedContainer("vanished");

        fake.vanish(id);

        assertThat(fake.inspect(id)).as("someone else removed it").isEmpty();
        assertThat(fake.callCount("remove")).as("the code under test did not").isZero();
    }

    @Test
    void unreachableEngineFailsEveryCallAndPingSaysSo() {
        fake.setReachable(false);

        assertThat(fake.ping()).as("ping reports the outage").isFalse();
        assertThatThrownBy(() -> fake.list(Map.of())).as("list during the outage").isInstanceOf(ProviderException.class);
        fake.setReachable(true);
    }

    @Test
    void remembersTheSpecEachContainerWasCreatedFrom() {
        ContainerSpec spec = spec("remembered");
        String id = fake.create(spec);

        assertThat(fake.specOf(id)).as("tests check what the code under test asked for").contains(spec);
    }

    @Test
    void concurrentCreatesAllSucceedWithDistinctIds() throws Exception {
        List<Future<String>> ids = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                String role = "concurrent-" + i;
                ids.add(threads.submit(() -> fake.create(spec(role))));
            }
        }

        assertThat(ids.stream().map(Future::resultNow).distinct()).as("one container per create").hasSize(200);
        assertThat(fake.list(Map.of(TEST_LABEL, testId()))).as("all of them recorded").hasSize(200);
    }
}
