package dev.warmbox.devenv.instances;

import dev.warmbox.devenv.catalog.Catalog;
import dev.warmbox.devenv.catalog.EnvironmentClass;
import dev.warmbox.devenv.catalog.Project;
import dev.warmbox.devenv.containers.InstanceEngine;
import dev.warmbox.devenv.prebuilds.Prebuilds;
import dev.warmbox.devenv.scaling.LaunchHealth;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of instances: launch (warm or cold), reset, destroy. Each operation holds its instance in
 * flight ({@link InFlight}) for its whole length, so the reconciler leaves it alone; the database row is written before the
 * container exists and removed after it is gone, so a restart finds either both or a row to clean.
 */
public final class Instances {
    private static final Logger log = LoggerFactory.getLogger(Instances.class);

    private final InstanceStore store;
    private final Catalog catalog;
    private final Prebuilds prebuilds;
    private final InstanceEngine engine;
    private final ExecutorService workers;
    private final Semaphore launchPermits;
    private final Clock clock;
    private final InFlight inFlight;
    private final Map<String, LaunchHealth> health = new ConcurrentHashMap<>();
    /** Called with an instance that is claimed and has finished warming up: personalize it now. */
    private final Consumer<InstanceRow> claimedAndReady;
    /** Called with (environment id, reason) when a claimed instance could not be launched. */
    private final BiConsumer<String, String> claimFailed;

    public Instances(InstanceStore store, Catalog catalog, Prebuilds prebuilds, InstanceEngine engine, ExecutorService workers, int maxConcurrentLaunches,
              Clock clock, InFlight inFlight, Consumer<InstanceRow> claimedAndReady, BiConsumer<String, String> claimFailed) {
        this.store = store;
        this.catalog = catalog;
        this.prebuilds = prebuilds;
        this.engine = engine;
        this.workers = workers;
        this.launchPermits = new Semaphore(maxConcurrentLaunches);
        this.clock = clock;
        this.inFlight = inFlight;
        this.claimedAndReady = claimedAndReady;
        this.claimFailed = claimFailed;
    }

    public static String newName() {
        return "wb-dev-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    public LaunchHealth health(String poolId) {
        return health.getOrDefault(poolId, LaunchHealth.OK);
    }

    /** What a pool's new warm instance is for and made from. */
    public record WarmLaunch(String poolId, String projectId, String environmentClassId, String snapshotId) {}

    /** A new warm instance for the pool: its row first, then the container, in the background. */
    public void launchWarm(WarmLaunch pool) {
        String name = newName();
        InFlight.Operation launching = inFlight.begin(name);
        InstanceRow row = new InstanceRow(name, pool.poolId(), pool.projectId(), pool.snapshotId(), InstanceRow.STARTING, false, null, null,
                clock.instant(), null, false, catalog.fingerprint(pool.projectId(), pool.environmentClassId()));
        try {
            store.insert(row);
        } catch (RuntimeException e) {
            launching.close();
            throw e;
        }
        inBackground(launching, () -> launch(row, pool.environmentClassId()));
    }

    /** A cold start: the claim already wrote the row (CLAIMED) and holds it in flight until this took over; launch it now. */
    public void launchCold(InstanceRow row, String environmentClassId) {
        inBackground(inFlight.begin(row.name()), () -> launch(row, environmentClassId));
    }

    /** Runs the operation on a worker, which closes its handle when it ends (also when it was never started). */
    private void inBackground(InFlight.Operation operation, Runnable task) {
        try {
            workers.execute(() -> {
                try (operation) {
                    task.run();
                }
            });
        } catch (RuntimeException rejected) {
            operation.close();
            throw rejected;
        }
    }

    private void launch(InstanceRow row, String environmentClassId) {
        boolean permit = false;
        try {
            launchPermits.acquire();
            permit = true;
            Project project = catalog.project(row.projectId());
            EnvironmentClass environmentClass = catalog.environmentClass(environmentClassId);
            String image = prebuilds.snapshotImage(row.snapshotId())
                    .orElseThrow(() -> new IllegalStateException("snapshot " + row.snapshotId() + " has no image"));
            String address = engine.launch(row.name(), row.poolId(), image, project, environmentClass);
            store.setAddress(row.name(), address);
            engine.warmUp(row.name(), project);
            InstanceRow after = store.markReady(row.name(), address, clock.instant()).orElseThrow(() ->
                    new IllegalStateException("instance " + row.name() + " was removed while it launched"));
            if (row.poolId() != null) health.remove(row.poolId());
            if (after.claimed()) claimedAndReady.accept(after);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed(row, "interrupted while launching (warmbox is stopping)");
        } catch (RuntimeException e) {
            log.warn("instance {} failed to launch: {}", row.name(), e.getMessage());
            if (row.poolId() != null) health.merge(row.poolId(), LaunchHealth.OK.failed(clock.instant(), e.getMessage()),
                    (old, fresh) -> old.failed(clock.instant(), e.getMessage()));
            failed(row, e.getMessage());
        } finally {
            if (permit) launchPermits.release();
        }
    }

    private void failed(InstanceRow row, String reason) {
        InstanceRow now = store.find(row.name()).orElse(row);
        destroyNow(row.name());
        if (now.environmentId() != null) claimFailed.accept(now.environmentId(), reason);
    }

    /** Resets a released instance in the background and returns it to its pool; destroys it if that fails. */
    public void reset(InstanceRow row) {
        InFlight.Operation resetting = inFlight.begin(row.name());
        try {
            store.beginReset(row.name());
        } catch (RuntimeException e) {
            resetting.close();
            throw e;
        }
        inBackground(resetting, () -> {
            try {
                engine.reset(row.name(), catalog.project(row.projectId()));
                store.markReady(row.name(), null, clock.instant());
            } catch (RuntimeException e) {
                log.warn("instance {} failed to reset, removing it: {}", row.name(), e.getMessage());
                destroyNow(row.name());
            }
        });
    }

    /** Stops a running warm instance the pool keeps as a stopped one, unless a claim took it meanwhile. */
    public void stop(String name) {
        if (!store.beginStop(name)) return;
        inBackground(inFlight.begin(name), () -> {
            try {
                engine.stop(name);
                store.finishStop(name);
            } catch (RuntimeException e) {
                log.warn("instance {} failed to stop, removing it: {}", name, e.getMessage());
                destroyNow(name);
            }
        });
    }

    /** Starts a stopped warm instance for scale-out or backfill, unless a claim took it meanwhile. */
    public void start(InstanceRow row) {
        if (!store.beginStart(row.name())) return;
        inBackground(inFlight.begin(row.name()), () -> {
            try {
                store.finishStart(row.name(), engine.start(row.name(), catalog.project(row.projectId())));
            } catch (RuntimeException e) {
                log.warn("stopped instance {} failed to start, removing it: {}", row.name(), e.getMessage());
                destroyNow(row.name());
            }
        });
    }

    /**
     * A claim took a stopped instance: start it (its address may change, so the route is built from the
     * row afterwards), then it is personalized like any warm one.
     */
    public void startClaimed(InstanceRow row) {
        inBackground(inFlight.begin(row.name()), () -> {
            try {
                InstanceRow after = store.finishStart(row.name(), engine.start(row.name(), catalog.project(row.projectId()))).orElseThrow();
                claimedAndReady.accept(after);
            } catch (RuntimeException e) {
                log.warn("claimed stopped instance {} failed to start: {}", row.name(), e.getMessage());
                failed(row, e.getMessage());
            }
        });
    }

    /** Removes an instance the pool no longer wants, unless a claim took it meanwhile. */
    public void retire(String name) {
        if (store.retire(name)) destroy(name);
    }

    /** Removes the container and then the row, in the background. */
    public void destroy(String name) {
        inBackground(inFlight.begin(name), () -> destroyNow(name));
    }

    /** Container first, then the row: if warmbox stops in between, the reconciler sees a row without a container and deletes it. */
    public void destroyNow(String name) {
        try {
            engine.remove(name);
            store.delete(name);
        } catch (RuntimeException e) {
            log.warn("removing instance {} failed, the reconciler will retry: {}", name, e.getMessage());
        }
    }
}
