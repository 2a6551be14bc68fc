package dev.warmbox.devenv.instances;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmbox.store.Database;
import dev.warmbox.store.OnEachDatabase;
import dev.warmbox.store.TestDatabase;
import java.time.Instant;

/** The pool's own moves on an instance row never take one a claim holds. */
class InstanceStoreTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @OnEachDatabase
    void aClaimedInstanceIsNeverStoppedStartedOrRetiredByThePool(TestDatabase storage) {
        try (Database database = storage.open()) {
            InstanceStore store = new InstanceStore(database);
            store.insert(new InstanceRow("claimed", "pool", "project", "s1", InstanceRow.CLAIMED, true, null, "env", T0, T0, false, null));
            store.insert(new InstanceRow("warm", "pool", "project", "s1", InstanceRow.WARM, true, null, null, T0, T0, false, null));

            assertThat(store.beginStop("claimed")).as("not stopped").isFalse();
            assertThat(store.beginStart("claimed")).as("not started").isFalse();
            assertThat(store.retire("claimed")).as("not retired").isFalse();
            assertThat(store.find("claimed").orElseThrow().state()).isEqualTo(InstanceRow.CLAIMED);
            assertThat(store.beginStop("warm")).as("a warm running one is").isTrue();
        }
    }
}
