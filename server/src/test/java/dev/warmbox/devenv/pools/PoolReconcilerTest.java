package dev.warmbox.devenv.pools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.warmbox.MutableClock;
import dev.warmbox.config.DevEnvSettings;
import dev.warmbox.devenv.catalog.Catalog;
import dev.warmbox.devenv.catalog.EnvironmentClass;
import dev.warmbox.devenv.catalog.Project;
import dev.warmbox.devenv.claims.EnvironmentStore;
import dev.warmbox.devenv.containers.Blueprint;
import dev.warmbox.devenv.containers.InstanceEngine;
import dev.warmbox.devenv.instances.InFlight;
import dev.warmbox.devenv.instances.InstanceRow;
import dev.warmbox.devenv.instances.InstanceStore;
import dev.warmbox.devenv.instances.Instances;
import dev.warmbox.devenv.prebuilds.Prebuilds;
import dev.warmbox.devenv.prebuilds.SnapshotCollector;
import dev.warmbox.devenv.requests.Fields;
import dev.warmbox.devenv.scaling.Autoscaler;
import dev.warmbox.provider.ContainerSpec;
import dev.warmbox.provider.ContainerState;
import dev.warmbox.provider.FakeContainerProvider;
import dev.warmbox.store.Database;
import dev.warmbox.store.OnEachDatabase;
import dev.warmbox.store.TestDatabase;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The reconciler after a restart, on a fake engine and a real database (SQLite, PostgreSQL): it acts on what it observes,
 * cleans up what the previous run left half-done, and launches exactly the gap, once.
 */
class PoolReconcilerTest {
    private static final String IMAGE = "warmbox-devenv/t:snap";
    private final ObjectMapper json = JsonMapper.builder().findAndAddModules().build();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T09:00:00Z"));
    private final FakeContainerProvider engine = new FakeContainerProvider(clock, IMAGE, "base");
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final List<String> lost = new ArrayList<>();

    private Database database;
    private InstanceStore store;
    private Blueprint blueprint;
    private PoolReconciler reconciler;
    private Instances instances;
    private InFlight inFlight;

    @BeforeEach
    void build(TestDatabase storage) {
        database = storage.open();
        DevEnvSettings settings = new DevEnvSettings("isolated", Duration.ofHours(1), 4, Duration.ofMinutes(1), Duration.ofMinutes(5),
                Optional.empty(), Optional.empty(), DevEnvSettings.Scaling.DEFAULTS,
                Duration.ZERO);
        blueprint = new Blueprint("t", settings);
        InstanceEngine instanceEngine = new InstanceEngine(engine, blueprint, settings);
        WarmPoolStore pools = new WarmPoolStore(database);
        store = new InstanceStore(database);
        Catalog catalog = new Catalog(database, json, new Fields.Reader(1 << 20), engine, clock);
        Prebuilds prebuilds = new Prebuilds(database, catalog, engine, blueprint, instanceEngine, workers, clock, snapshot -> { });
        inFlight = new InFlight();
        instances = new Instances(store, catalog, prebuilds, instanceEngine, workers, 4, clock, inFlight, row -> { }, (env, why) -> lost.add(env));
        reconciler = new PoolReconciler(pools, store, new EnvironmentStore(database, store), instances, engine, blueprint, clock, Autoscaler.DEFAULTS,
                new Rotations(catalog, prebuilds, Duration.ZERO), (env, why) -> lost.add(env),
                new SnapshotCollector(database, engine, blueprint), inFlight, () -> true);

        String classId = catalog.createClass("{\"name\": \"small\"}".getBytes()).id();
        String projectId = catalog.createProject(("{\"name\": \"p\", \"source\": {\"image\": \"base\"}, \"prebuildEnvironmentClassIds\": [\"" + classId + "\"]}").getBytes()).id();
        database.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO prebuilds (id, project_id, environment_class_id, status, created_at) VALUES ('snap', '" + projectId + "', '"
                        + classId + "', 'PREBUILD_STATUS_SUCCEEDED', 0)");
                s.execute("INSERT INTO environments (id, owner_key_id, project_id, environment_class_id, warm, phase, created_at, updated_at) "
                        + "VALUES ('gone-env', 'k', '" + projectId + "', '" + classId + "', 1, 'ENVIRONMENT_PHASE_DELETED', 0, 0)");
            }
            return null;
        });
        pools.insert(new PoolRecord("pool", projectId, classId, "org", "runner", PoolRecord.READY, 2, 2, null,
                PoolRecord.ReleasePolicy.RELEASE_POLICY_DESTROY, "snap", 1, PoolRecord.READY, null, 1, false, Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:00:00Z"),
                PoolRecord.Schedule.ALWAYS, false, -1));
    }

    @AfterEach
    void stop() throws InterruptedException {
        reconciler.close();
        workers.shutdownNow();
        workers.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        database.close();
    }

    /** What a previous run left: a row (in a state) with a running container of that name. */
    private void leftover(String name, String state, boolean ready, String environmentId) {
        store.insert(new InstanceRow(name, "pool", "p", "snap", state, ready, null, environmentId, Instant.parse("2026-01-01T08:00:00Z"), null, false, null));
        container(name);
    }

    private void container(String name) {
        ContainerSpec spec = blueprint.instance(name, "pool", IMAGE,
                new Project("p", "p", new Project.Source("base", null), List.of(), List.of(), null, null, null, Map.of(), Map.of(), 7681, null, clock.instant(), clock.instant()),
                new EnvironmentClass("c", "small", 1, 1 << 30, 0, null, clock.instant(), clock.instant()));
        engine.start(engine.create(spec));
    }

    private List<String> containers() {
        return engine.list(blueprint.owned(Blueprint.KIND_INSTANCE)).stream().map(ContainerState::name).sorted().toList();
    }

    @OnEachDatabase
    void afterARestartCleansUpWhatWasHalfDoneAndLaunchesTheGapOnlyOnce() {
        leftover("wb-dev-warm", InstanceRow.WARM, true, null);
        leftover("wb-dev-interrupted", InstanceRow.STARTING, false, null);
        leftover("wb-dev-released", InstanceRow.CLAIMED, true, "gone-env");
        container("wb-dev-orphan");

        reconciler.pass();

        assertThat(engine.list(Map.of(Blueprint.LABEL_INSTANCE, "wb-dev-orphan"))).as("a container no row explains is removed").isEmpty();
        awaitGone("wb-dev-interrupted");
        awaitGone("wb-dev-released");
        List<String> rows = store.all().stream().map(InstanceRow::name).toList();
        assertThat(rows).as("the warm one stays; one launch (still waiting for its IDE) fills the gap to 2").contains("wb-dev-warm").hasSize(2);

        reconciler.pass();
        reconciler.pass();
        assertThat(store.all()).as("the launch in flight is counted: nothing is launched twice").hasSize(2);
        assertThat(lost).as("no live environment was failed").isEmpty();
    }

    @OnEachDatabase
    void aStopThatEndsWhileTheEngineListsTheContainersDoesNotMakeTheInstanceLookDead() {
        // Being stopped (out of the claimable set, in flight) while its container still runs.
        store.insert(new InstanceRow("wb-dev-stopping", "pool", "p", "snap", InstanceRow.WARM, false, "10.0.0.9", null,
                Instant.parse("2026-01-01T08:00:00Z"), Instant.parse("2026-01-01T08:01:00Z"), true, null));
        container("wb-dev-stopping");
        String id = engine.list(Map.of(Blueprint.LABEL_INSTANCE, "wb-dev-stopping")).getFirst().id();
        InFlight.Operation stopping = inFlight.begin("wb-dev-stopping");
        // The engine lists it running; the stop ends (container stopped, row ready as a stopped instance) before the pass reads the rows.
        engine.afterNextList(() -> {
            engine.stop(id, Duration.ZERO);
            database.inTransaction(c -> c.createStatement().executeUpdate("UPDATE devenv_instances SET ready = 1 WHERE name = 'wb-dev-stopping'"));
            stopping.close();
        });

        reconciler.pass();

        assertThat(store.find("wb-dev-stopping")).as("kept as the stopped instance it now is, not removed as a dead one")
                .hasValueSatisfying(row -> assertThat(row.state() + " ready=" + row.ready()).isEqualTo("WARM ready=true"));
        assertThat(containers()).contains("wb-dev-stopping");
        assertThat(lost).isEmpty();
    }

    @OnEachDatabase
    void aClaimedInstanceWhoseContainerDiedFailsItsEnvironment() {
        leftover("wb-dev-claimed", InstanceRow.CLAIMED, true, "env-1");
        database.inTransaction(c -> c.createStatement().executeUpdate("UPDATE environments SET id = 'env-1', phase = 'ENVIRONMENT_PHASE_RUNNING'"));
        engine.kill(engine.list(Map.of(Blueprint.LABEL_INSTANCE, "wb-dev-claimed")).getFirst().id());

        reconciler.pass();

        assertThat(lost).containsExactly("env-1");
        awaitGone("wb-dev-claimed");
    }

    @OnEachDatabase
    void aRestartDecidesFromTheStoredTargetAndTheStoredClaimsAndLaunchesTheGapOnce() {
        // The previous run scaled out to 3 on 6 claims 12 minutes ago: they left the 10-minute demand window,
        // but the 15-minute scale-in window still holds them, so the target must stay 3, not fall to minSize.
        long claimedAt = clock.instant().minus(Duration.ofMinutes(12)).toEpochMilli();
        database.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("UPDATE warm_pools SET max_size = 5, desired_size = 3 WHERE id = 'pool'");
                for (int i = 0; i < 6; i++) {
                    s.execute("INSERT INTO environments (id, owner_key_id, project_id, environment_class_id, pool_id, warm, phase, created_at, updated_at) "
                            + "SELECT 'claim-" + i + "', 'k', project_id, environment_class_id, 'pool', 1, 'ENVIRONMENT_PHASE_DELETED', " + claimedAt
                            + ", 0 FROM warm_pools WHERE id = 'pool'");
                }
            }
            return null;
        });

        reconciler.pass();

        WarmPoolStore pools = new WarmPoolStore(database);
        assertThat(pools.find("pool").orElseThrow().desiredSize()).as("the stored target, kept by the stored claims").isEqualTo(3);
        assertThat(store.all()).as("3 to run and 2 stopped up to maxSize, each launched once").hasSize(5);
        reconciler.pass();
        assertThat(store.all()).as("launches in flight are counted: nothing twice").hasSize(5);
        clock.advance(Duration.ofMinutes(14)); // they left the demand window at 08:58, plus the 15-minute scale-in window
        reconciler.pass();
        assertThat(pools.find("pool").orElseThrow().desiredSize()).as("demand stayed low for the whole scale-in window").isEqualTo(2);
    }

    @OnEachDatabase
    void aContainerThatCannotBeRemovedFailsAloneAndIsRetriedOnTheNextPass() {
        container("wb-dev-stuck");
        container("wb-dev-orphan");
        engine.failRemovalsOf("wb-dev-stuck", "device or resource busy");

        reconciler.pass();

        assertThat(containers()).as("the other orphan is removed all the same").doesNotContain("wb-dev-orphan").contains("wb-dev-stuck");
        assertThat(store.all()).as("and the pool still launched its gap of 2").hasSize(2);
        engine.healRemovals();
        reconciler.pass();
        assertThat(containers()).as("the next pass retries the removal").doesNotContain("wb-dev-stuck");
    }

    @OnEachDatabase
    void aSettledPassAsksTheEngineAsManyThingsForTwentyInstancesAsForOne() {
        List<String> one = engineCallsOfASettledPass(1);
        List<String> twenty = engineCallsOfASettledPass(20);

        assertThat(twenty).as("no engine call per instance: the listing answers for all of them").isEqualTo(one);
        assertThat(one).as("the instances, the snapshot images and the prebuild containers, listed once each")
                .containsExactlyInAnyOrder("list", "listImages", "list");
    }

    /** The engine calls of one pass over a pool of {@code size} warm instances that need nothing done. */
    private List<String> engineCallsOfASettledPass(int size) {
        database.inTransaction(c -> c.createStatement().executeUpdate("UPDATE warm_pools SET min_size = " + size + ", max_size = " + size
                + ", desired_size = " + size));
        while (store.all().size() < size) leftover("wb-dev-settled-" + store.all().size(), InstanceRow.WARM, true, null);
        int before = engine.calls().size();
        reconciler.pass();
        return engine.calls().subList(before, engine.calls().size()).stream().map(FakeContainerProvider.Call::operation).toList();
    }

    @OnEachDatabase
    void snapshotsNoPoolInstanceOrNewestPrebuildNeedsAreRemovedAndSoAreFailedPrebuildsLeftovers() {
        String failed = "failed-0000-0001";
        database.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("UPDATE prebuilds SET finished_at = " + millis("2026-01-01T08:00:00Z") + " WHERE id = 'snap'");
                for (String[] p : new String[][] {{"superseded", "PREBUILD_STATUS_SUCCEEDED", millis("2026-01-01T07:00:00Z")},
                        {failed, "PREBUILD_STATUS_FAILED", millis("2026-01-01T08:30:00Z")}, {"running", "PREBUILD_STATUS_RUNNING", "NULL"}}) {
                    s.execute("INSERT INTO prebuilds (id, project_id, environment_class_id, status, created_at, finished_at) "
                            + "SELECT '" + p[0] + "', project_id, environment_class_id, '" + p[1] + "', 0, " + p[2] + " FROM prebuilds WHERE id = 'snap'");
                }
            }
            return null;
        });
        for (String snapshot : List.of("snap", "superseded", failed, "running")) committedSnapshot(snapshot);
        Project project = new Project("p", "p", new Project.Source("base", null), List.of(), List.of(), null, null, null, Map.of(), Map.of(), 7681, null, clock.instant(), clock.instant());
        engine.create(blueprint.prebuild(failed, project, new EnvironmentClass("c", "small", 1, 1 << 30, 0, null, clock.instant(), clock.instant())));

        reconciler.pass();

        assertThat(engine.listImages(blueprint.owned())).extracting(i -> i.labels().get(Blueprint.LABEL_PREBUILD))
                .as("the pool's snapshot and a running prebuild's commit stay; the superseded and the failed one go")
                .containsExactlyInAnyOrder("snap", "running");
        assertThat(engine.imageExists(blueprint.snapshotImage("superseded"))).as("removed from the engine").isFalse();
        assertThat(engine.list(blueprint.owned(Blueprint.KIND_PREBUILD))).as("the failed prebuild's container is removed").isEmpty();
    }

    /** A snapshot image labelled as a prebuild commits it. */
    private void committedSnapshot(String prebuildId) {
        String from = engine.create(new ContainerSpec("commit-" + prebuildId, "base", Map.of(), List.of(), List.of(), null,
                new ContainerSpec.Limits(0, 0, 0, 0), false, Map.of(), List.of(), null, null, false, null, false));
        engine.commit(from, blueprint.snapshotImage(prebuildId), Map.of(Blueprint.LABEL_MANAGED, "true", Blueprint.LABEL_DEVENV, "t",
                Blueprint.LABEL_PREBUILD, prebuildId));
        engine.remove(from);
    }

    private void awaitGone(String name) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                store.find(name).isEmpty() && engine.list(Map.of(Blueprint.LABEL_INSTANCE, name)).isEmpty());
    }

    /** A time as the tables keep it: epoch milliseconds. */
    private static String millis(String iso) {
        return Long.toString(Instant.parse(iso).toEpochMilli());
    }
}
