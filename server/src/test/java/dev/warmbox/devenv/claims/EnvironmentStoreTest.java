package dev.warmbox.devenv.claims;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmbox.devenv.instances.InstanceRow;
import dev.warmbox.devenv.instances.InstanceStore;
import dev.warmbox.devenv.requests.DevEnvException;
import dev.warmbox.store.Database;
import dev.warmbox.store.OnEachDatabase;
import dev.warmbox.store.TestDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Claims from many threads at once, on SQLite and on PostgreSQL: the hand-out is exact. */
class EnvironmentStoreTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @OnEachDatabase
    void parallelClaimsHandOutEachWarmInstanceOnceAndStopAtMaxInstances(TestDatabase storage) throws Exception {
        try (Database database = storage.open()) {
            database.inTransaction(c -> {
                c.createStatement().execute("INSERT INTO environment_classes (id, name, doc) VALUES ('class', 'small', '{}')");
                c.createStatement().execute("INSERT INTO projects (id, name, doc) VALUES ('project', 'demo', '{}')");
                return null;
            });
            pool(database, 3, 3, 5);
            InstanceStore rows = new InstanceStore(database);
            EnvironmentStore store = new EnvironmentStore(database, rows);
            for (int i = 0; i < 3; i++) {
                rows.insert(new InstanceRow("warm" + i, "pool", "project", "s1", i == 2 ? InstanceRow.STARTING : InstanceRow.WARM, i != 2,
                        null, null, T0.plusSeconds(i), null, false, null));
            }

            int claims = 16;
            List<Object> outcomes = new ArrayList<>();
            try (ExecutorService threads = Executors.newFixedThreadPool(claims)) {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Object>> futures = new ArrayList<>();
                for (int i = 0; i < claims; i++) {
                    String env = "env" + i;
                    futures.add(threads.submit(() -> {
                        go.await();
                        try {
                            return store.claim(new EnvironmentRecord(env, "key", "project", "class", "pool", null, false,
                                    EnvironmentRecord.CREATING, null, T0, null, T0), "pool", "s1", "cold-" + env, T0);
                        } catch (DevEnvException e) {
                            return e;
                        }
                    }));
                }
                go.countDown();
                for (Future<Object> f : futures) outcomes.add(f.get());
            }

            List<EnvironmentStore.Claim> granted = outcomes.stream().filter(o -> o instanceof EnvironmentStore.Claim).map(o -> (EnvironmentStore.Claim) o).toList();
            long warm = granted.stream().filter(c -> c.environment().warm()).count();
            Set<String> instances = new HashSet<>();
            granted.forEach(c -> instances.add(c.instance().name()));
            assertThat(warm).as("each of the three pool instances, the one still starting included").isEqualTo(3);
            assertThat(granted).as("maxInstances 5: three warm plus two cold").hasSize(5);
            assertThat(instances).as("no instance handed out twice").hasSize(5);
            assertThat(outcomes.stream().filter(o -> o instanceof DevEnvException e && e.code().equals("capacity_exhausted"))).hasSize(claims - 5);
            assertThat(rows.all()).allMatch(InstanceRow::claimed);
        }
    }

    @OnEachDatabase
    void aClaimTakesARunningInstanceFirstThenAStoppedOneButNeverOneBeingStoppedOrStarted(TestDatabase storage) {
        try (Database database = storage.open()) {
            database.inTransaction(c -> {
                c.createStatement().execute("INSERT INTO environment_classes (id, name, doc) VALUES ('class', 'small', '{}')");
                c.createStatement().execute("INSERT INTO projects (id, name, doc) VALUES ('project', 'demo', '{}')");
                return null;
            });
            pool(database, 1, 3, null);
            InstanceStore rows = new InstanceStore(database);
            EnvironmentStore store = new EnvironmentStore(database, rows);
            rows.insert(new InstanceRow("stopped", "pool", "project", "s1", InstanceRow.WARM, true, null, null, T0, null, true, null));
            rows.insert(new InstanceRow("stopping", "pool", "project", "s1", InstanceRow.WARM, false, null, null, T0, null, true, null));
            rows.insert(new InstanceRow("running", "pool", "project", "s1", InstanceRow.WARM, true, null, null, T0.plusSeconds(9), null, false, null));

            EnvironmentStore.Claim first = claim(store, "e1");
            assertThat(first.instance().name()).as("a running instance, though newer").isEqualTo("running");
            assertThat(first.instanceReady()).isTrue();
            EnvironmentStore.Claim second = claim(store, "e2");
            assertThat(second.instance().name()).isEqualTo("stopped");
            assertThat(second.instance().stopped()).as("the caller starts it").isTrue();
            assertThat(second.instanceReady()).isFalse();
            assertThat(second.environment().phase()).isEqualTo(EnvironmentRecord.CREATING);
            assertThat(claim(store, "e3").environment().warm()).as("the one being stopped is not handed out: cold start").isFalse();
        }
    }

    @OnEachDatabase
    void aClaimTakesTheOldestInstanceEvenWhenItsTimeSortsAfterAFractionalOneAsText(TestDatabase storage) {
        // As ISO-8601 text "...:00.500Z" sorts before "...:00Z" ('.' < 'Z'), though it is half a second later.
        try (Database database = storage.open()) {
            database.inTransaction(c -> {
                c.createStatement().execute("INSERT INTO environment_classes (id, name, doc) VALUES ('class', 'small', '{}')");
                c.createStatement().execute("INSERT INTO projects (id, name, doc) VALUES ('project', 'demo', '{}')");
                return null;
            });
            pool(database, 1, 3, null);
            InstanceStore rows = new InstanceStore(database);
            EnvironmentStore store = new EnvironmentStore(database, rows);
            rows.insert(new InstanceRow("later", "pool", "project", "s1", InstanceRow.WARM, true, null, null, T0.plusMillis(500), null, false, null));
            rows.insert(new InstanceRow("earlier", "pool", "project", "s1", InstanceRow.WARM, true, null, null, T0, null, false, null));

            assertThat(rows.all()).extracting(InstanceRow::name).as("listed oldest first").containsExactly("earlier", "later");
            assertThat(claim(store, "e1").instance().name()).as("the instance that waited longest").isEqualTo("earlier");
        }
    }

    /**
     * Three servers (each its own Database: connection pool, store) on one PostgreSQL database, claims
     * through all three at once: the same exact hand-out as one server on SQLite.
     */
    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void parallelClaimsThroughSeveralServersOnOnePostgresDatabaseHandOutEachWarmInstanceOnce(int servers) throws Exception {
        try (TestDatabase storage = TestDatabase.create(TestDatabase.Kind.POSTGRESQL)) {
            Database first = storage.open();
            first.inTransaction(c -> {
                c.createStatement().execute("INSERT INTO environment_classes (id, name, doc) VALUES ('class', 'small', '{}')");
                c.createStatement().execute("INSERT INTO projects (id, name, doc) VALUES ('project', 'demo', '{}')");
                return null;
            });
            int warmInstances = 4;
            int cap = 6;
            pool(first, warmInstances, warmInstances, cap);
            InstanceStore firstRows = new InstanceStore(first);
            for (int i = 0; i < warmInstances; i++) {
                firstRows.insert(new InstanceRow("warm" + i, "pool", "project", "s1", InstanceRow.WARM, true, null, null, T0.plusSeconds(i), null, false, null));
            }
            List<EnvironmentStore> stores = new ArrayList<>();
            for (int s = 0; s < servers; s++) {
                Database server = s == 0 ? first : storage.open();
                stores.add(new EnvironmentStore(server, new InstanceStore(server)));
            }
            int claims = 24;
            List<Object> outcomes = new ArrayList<>();
            try (ExecutorService threads = Executors.newFixedThreadPool(claims)) {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Object>> futures = new ArrayList<>();
                for (int i = 0; i < claims; i++) {
                    EnvironmentStore through = stores.get(i % servers);
                    String env = "env" + i;
                    futures.add(threads.submit(() -> {
                        go.await();
                        try {
                            return claim(through, env);
                        } catch (DevEnvException e) {
                            return e;
                        }
                    }));
                }
                go.countDown();
                for (Future<Object> f : futures) outcomes.add(f.get());
            }
            List<EnvironmentStore.Claim> granted = outcomes.stream().filter(o -> o instanceof EnvironmentStore.Claim).map(o -> (EnvironmentStore.Claim) o).toList();
            assertThat(granted.stream().filter(c -> c.environment().warm())).as("exactly the pool's warm instances handed out warm").hasSize(warmInstances);
            assertThat(granted).as("maxInstances %d: %d warm plus %d cold", cap, warmInstances, cap - warmInstances).hasSize(cap);
            assertThat(granted.stream().map(c -> c.instance().name()).distinct()).as("no instance handed out twice").hasSize(cap);
            assertThat(outcomes.stream().filter(o -> o instanceof DevEnvException e && e.code().equals("capacity_exhausted"))).hasSize(claims - cap);
            assertThat(firstRows.all()).as("the rows every server sees").hasSize(cap).allMatch(InstanceRow::claimed);
        }
    }

    /** A pool row of the project and class, as the pools room writes it. */
    private static void pool(Database database, int minSize, int maxSize, Integer maxInstances) {
        database.inTransaction(c -> Database.update(c, "INSERT INTO warm_pools (id, project_id, environment_class_id, organization_id, runner_id, "
                + "desired_phase, min_size, max_size, max_instances, release_policy, snapshot_id, spec_version, phase, status_version, created_at, "
                + "updated_at) VALUES ('pool', 'project', 'class', 'org', 'runner', 'WARM_POOL_PHASE_READY', ?, ?, ?, 'RELEASE_POLICY_DESTROY', 's1', "
                + "1, 'WARM_POOL_PHASE_READY', 1, 0, 0)", minSize, maxSize, maxInstances));
    }

    private static EnvironmentStore.Claim claim(EnvironmentStore store, String env) {
        return store.claim(new EnvironmentRecord(env, "key", "project", "class", "pool", null, false, EnvironmentRecord.CREATING, null, T0, null, T0),
                "pool", "s1", "cold-" + env, T0);
    }
}
