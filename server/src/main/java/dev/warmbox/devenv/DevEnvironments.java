package dev.warmbox.devenv;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warmbox.config.DevEnvSettings;
import dev.warmbox.devenv.catalog.Catalog;
import dev.warmbox.devenv.claims.DevEnvMetrics;
import dev.warmbox.devenv.claims.EnvironmentStore;
import dev.warmbox.devenv.claims.Environments;
import dev.warmbox.devenv.containers.Blueprint;
import dev.warmbox.devenv.containers.InstanceEngine;
import dev.warmbox.devenv.instances.InFlight;
import dev.warmbox.devenv.instances.InstanceRow;
import dev.warmbox.devenv.instances.InstanceStore;
import dev.warmbox.devenv.instances.Instances;
import dev.warmbox.devenv.pools.PoolReconciler;
import dev.warmbox.devenv.pools.Rotations;
import dev.warmbox.devenv.pools.WarmPoolService;
import dev.warmbox.devenv.pools.WarmPoolStore;
import dev.warmbox.devenv.prebuilds.Prebuild;
import dev.warmbox.devenv.prebuilds.Prebuilds;
import dev.warmbox.devenv.prebuilds.SnapshotCollector;
import dev.warmbox.devenv.requests.DevEnvException;
import dev.warmbox.devenv.requests.Fields;
import dev.warmbox.devenv.scaling.Autoscaler;
import dev.warmbox.provider.Capability;
import dev.warmbox.provider.ContainerProvider;
import dev.warmbox.routing.AccessTokens;
import dev.warmbox.routing.Routes;
import dev.warmbox.store.Database;
import dev.warmbox.store.Leadership;
import dev.warmbox.store.Principal;
import dev.warmbox.store.Role;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The door to development environments: classes, projects, prebuilds, warm pools and environments,
 * as the HTTP API uses them. Who may do what is decided here (admins configure, members claim), so
 * every caller gets the same rules. Threads: {@code warmbox-devenv-worker-N} (virtual: launches,
 * resets, personalization, prebuilds) and the reconciler's one thread; both stop in {@link #close()}.
 */
public final class DevEnvironments implements AutoCloseable {
    private final Fields.Reader bodies;
    private final ExecutorService workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("warmbox-devenv-worker-", 0).factory());
    private final DevEnvSettings settings;
    private final Catalog catalog;
    private final Prebuilds prebuilds;
    private final WarmPoolService pools;
    private final Environments environments;
    private final PoolReconciler reconciler;
    private final Leadership leadership;
    private final InstanceStore instanceRows;
    private final DevEnvMetrics metrics = new DevEnvMetrics();
    private final Seeds seeds;
    private final CatalogDeletion deletion;

    /** @param maxBodyBytes the largest request body (the 413s name it); values within it are refused by their own limits */
    public DevEnvironments(Database database, ContainerProvider provider, ObjectMapper json, long maxBodyBytes, DevEnvSettings settings,
                           String instanceId, Clock clock) {
        this.settings = settings;
        this.bodies = new Fields.Reader(maxBodyBytes);
        Blueprint blueprint = new Blueprint(instanceId, settings);
        InstanceEngine engine = new InstanceEngine(provider, blueprint, settings);
        WarmPoolStore poolStore = new WarmPoolStore(database);
        instanceRows = new InstanceStore(database);
        EnvironmentStore store = new EnvironmentStore(database, instanceRows);
        catalog = new Catalog(database, json, bodies, provider, clock);
        SnapshotCollector snapshots = new SnapshotCollector(database, provider, blueprint);
        // The reconciler is built last, but prebuilds must wake it when a snapshot is ready.
        Runnable[] wake = {() -> { }};
        prebuilds = new Prebuilds(database, catalog, provider, blueprint, engine, workers, clock, snapshot -> {
            poolStore.useSnapshot(snapshot.projectId(), snapshot.environmentClassId(), snapshot.id(), clock.instant());
            wake[0].run();
        });
        InFlight inFlight = new InFlight();
        environments = new Environments(bodies, catalog, poolStore, prebuilds, store, instanceRows, engine, metrics, workers, clock, inFlight);
        Instances instances = new Instances(instanceRows, catalog, prebuilds, engine, workers, settings.maxConcurrentLaunches(), clock, inFlight,
                environments::personalize, environments::fail);
        // Servers sharing a PostgreSQL database reconcile one at a time: the holder of this lock.
        leadership = database.leadership("the development-environment reconciler");
        DevEnvSettings.Scaling scaling = settings.scaling();
        Autoscaler scaler = new Autoscaler(scaling.demandWindow(), scaling.leadTime(), scaling.scaleOutWindow(), scaling.scaleInWindow(),
                scaling.idleGuard());
        reconciler = new PoolReconciler(poolStore, instanceRows, store, instances, provider, blueprint, clock, scaler,
                new Rotations(catalog, prebuilds, settings.rotationPeriod()), environments::fail, snapshots, inFlight, leadership::leading);
        wake[0] = reconciler::wake;
        environments.connect(instances, reconciler::wake);
        pools = new WarmPoolService(bodies, catalog, poolStore, prebuilds, instanceRows, clock, instanceId, reconciler::wake);
        seeds = new Seeds(json, catalog, pools, poolStore);
        deletion = new CatalogDeletion(database, catalog, snapshots);
        metrics.countFrom(this::countByState);
        metrics.countPoolsFrom(poolStore::countByPhase);
    }

    /** What development environments need of a provider: hooks and personalization, their network, prebuild snapshots, stopped instances. */
    public static final Set<Capability> NEEDS =
            EnumSet.of(Capability.EXEC, Capability.ISOLATED_NETWORK, Capability.SNAPSHOTS, Capability.SUSPEND_RESUME);

    /** Why development environments cannot run on {@code provider}, naming what it lacks; empty when they can. */
    public static Optional<String> unavailableOn(ContainerProvider provider) {
        var lacking = EnumSet.copyOf(NEEDS);
        lacking.removeAll(provider.capabilities());
        if (lacking.isEmpty()) return Optional.empty();
        return Optional.of("development environments are not available on " + provider + ": it does not offer "
                + lacking.stream().map(c -> c.description() + " (" + c + ")").collect(Collectors.joining(", "))
                + "; see docs/kubernetes.md");
    }

    /** Seeds what does not exist yet, fails what a restart interrupted, and starts reconciling. */
    public void start() {
        settings.seedFile().ifPresent(seeds::apply);
        prebuilds.recover();
        environments.recover();
        reconciler.start(settings.reconcileInterval());
    }

    /** The development-environment meters, to bind to the registry once. */
    public MeterBinder metrics() {
        return metrics;
    }

    /** What the router reads: where each environment is and whose it is. */
    public Routes routes() {
        return environments;
    }

    /** The hash of each environment's access-link token, for the router; empty once deleted. */
    public AccessTokens accessTokens() {
        return environments;
    }

    // ---- configuration: admins only ----

    public Object createClass(Principal who, byte[] body) {
        admin(who);
        return catalog.createClass(body);
    }

    /** Changes a class; the pools using it recreate their unclaimed instances. */
    public Object updateClass(Principal who, String id, byte[] body) {
        admin(who);
        Object updated = catalog.updateClass(id, body);
        reconciler.wake();
        return updated;
    }

    public Object environmentClass(Principal who, String id) {
        return catalog.environmentClass(id);
    }

    public Object classes(Principal who) {
        return Map.of("environmentClasses", catalog.classes());
    }

    public void deleteClass(Principal who, String id) {
        admin(who);
        deletion.deleteClass(id);
    }

    public Object createProject(Principal who, byte[] body) {
        admin(who);
        return catalog.createProject(body);
    }

    /** Changes a project; its pools recreate their unclaimed instances. */
    public Object updateProject(Principal who, String id, byte[] body) {
        admin(who);
        Object updated = catalog.updateProject(id, body);
        reconciler.wake();
        return updated;
    }

    public Object project(Principal who, String id) {
        return catalog.project(id);
    }

    public Object projects(Principal who) {
        return Map.of("projects", catalog.projects());
    }

    public void deleteProject(Principal who, String id) {
        admin(who);
        deletion.deleteProject(id);
    }

    public Object startPrebuild(Principal who, String projectId, byte[] body) {
        admin(who);
        Fields f = bodies.read(body, java.util.Set.of("environmentClassId"));
        return prebuilds.start(projectId, f.requiredText("environmentClassId"));
    }

    public Object prebuild(Principal who, String projectId, String prebuildId) {
        Prebuild p = prebuilds.find(prebuildId).filter(b -> b.projectId().equals(projectId))
                .orElseThrow(() -> DevEnvException.notFound("prebuild of project " + projectId, prebuildId));
        Map<String, Object> view = new HashMap<>(Map.of("prebuild", p));
        view.put("log", prebuilds.logOf(prebuildId));
        return view;
    }

    public Object prebuilds(Principal who, String projectId) {
        catalog.project(projectId);
        return Map.of("prebuilds", prebuilds.ofProject(projectId));
    }

    public Object createPool(Principal who, byte[] body) {
        admin(who);
        return Map.of("warmPool", pools.create(body));
    }

    public Object pool(Principal who, String id) {
        return Map.of("warmPool", pools.get(id));
    }

    public Object pools(Principal who, String projectId, String environmentClassId) {
        return Map.of("warmPools", pools.list(projectId, environmentClassId));
    }

    public Object updatePool(Principal who, String id, byte[] body) {
        admin(who);
        return Map.of("warmPool", pools.update(id, body));
    }

    public Object deletePool(Principal who, String id) {
        admin(who);
        return Map.of("warmPool", pools.delete(id));
    }

    public Object patchAppDefinition(Principal who, String name, byte[] body) {
        admin(who);
        return pools.patchAppDefinition(name, body);
    }

    // ---- environments: members their own, admins all ----

    public Object createEnvironment(Principal who, byte[] body, String baseUrl) {
        return Map.of("environment", environments.create(who, body, base(baseUrl)));
    }

    public Object environment(Principal who, String id, String baseUrl) {
        return Map.of("environment", environments.get(who, id, base(baseUrl)));
    }

    public Object environments(Principal who, String baseUrl) {
        return Map.of("environments", environments.list(who, base(baseUrl)));
    }

    public Object accessLink(Principal who, String id, String baseUrl) {
        return Map.of("accessUrl", environments.newAccessLink(who, id, base(baseUrl)));
    }

    public void deleteEnvironment(Principal who, String id) {
        environments.delete(who, id);
    }

    private String base(String fromRequest) {
        return settings.publicUrl().orElse(fromRequest);
    }

    private static void admin(Principal who) {
        if (who.role() != Role.ADMIN) throw DevEnvException.forbidden("only admins configure environment classes, projects, prebuilds and warm pools");
    }

    private Map<String, Long> countByState() {
        Map<String, Long> counts = new HashMap<>();
        for (InstanceRow row : instanceRows.all()) {
            String state = switch (row.state()) {
                case InstanceRow.WARM -> !row.ready() ? "starting" : row.stopped() ? "stopped" : "running";
                case InstanceRow.CLAIMED -> "claimed";
                case InstanceRow.RESETTING -> "resetting";
                default -> "starting";
            };
            counts.merge(state, 1L, Long::sum);
        }
        return counts;
    }

    @Override
    public void close() {
        reconciler.close();
        // Given up at once, so another server takes the pools over on its next pass rather than when this connection times out.
        leadership.close();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) workers.shutdownNow();
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
