package dev.warmbox.devenv.pools;

import dev.warmbox.devenv.containers.Blueprint;
import dev.warmbox.devenv.instances.InFlight;
import dev.warmbox.devenv.instances.InstanceRow;
import dev.warmbox.devenv.instances.InstanceStore;
import dev.warmbox.devenv.instances.Instances;
import dev.warmbox.devenv.prebuilds.SnapshotCollector;
import dev.warmbox.devenv.scaling.Autoscaler;
import dev.warmbox.provider.ContainerProvider;
import dev.warmbox.provider.ContainerState;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that makes pools match their spec. Each pass reads desired state (pool rows), observes
 * actual state (instance rows, this server's instance containers by label, operations in flight),
 * lets {@link ReconcilePlan} decide, and acts. Passes run on one thread, {@code warmbox-devenv-reconciler},
 * every interval and right after a claim; a pass that fails is logged and the next one starts over,
 * so a restart in the middle loses nothing and creates nothing twice.
 */
public final class PoolReconciler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PoolReconciler.class);

    private final WarmPoolStore pools;
    private final InstanceStore store;
    private final ClaimHistory claimHistory;
    private final Instances instances;
    private final ContainerProvider provider;
    private final Blueprint blueprint;
    private final Clock clock;
    private final Autoscaler scaler;
    private final Rotations rotations;
    private final BiConsumer<String, String> environmentLost;
    private final SnapshotCollector snapshots;
    private final InFlight inFlight;
    /** Whether this server is the one that reconciles (several servers on one PostgreSQL database: one at a time). */
    private final BooleanSupplier leading;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("warmbox-devenv-reconciler").daemon(true).unstarted(r));
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private volatile Map<String, ReconcilePlan> lastPlans = Map.of();

    /** @param environmentLost told (environment id, reason) when a claimed instance is lost: the environment fails
     *  @param leading asked before each pass: a server that does not lead skips it */
    public PoolReconciler(WarmPoolStore pools, InstanceStore store, ClaimHistory claimHistory, Instances instances, ContainerProvider provider,
                          Blueprint blueprint, Clock clock, Autoscaler scaler, Rotations rotations, BiConsumer<String, String> environmentLost,
                          SnapshotCollector snapshots, InFlight inFlight, BooleanSupplier leading) {
        this.pools = pools;
        this.store = store;
        this.claimHistory = claimHistory;
        this.instances = instances;
        this.provider = provider;
        this.blueprint = blueprint;
        this.clock = clock;
        this.scaler = scaler;
        this.rotations = rotations;
        this.environmentLost = environmentLost;
        this.snapshots = snapshots;
        this.inFlight = inFlight;
        this.leading = leading;
    }

    public void start(Duration interval) {
        thread.scheduleWithFixedDelay(this::safePass, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Asks for a pass as soon as possible; wakes that arrive while one is pending are merged. */
    public void wake() {
        if (wakePending.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    wakePending.set(false);
                    safePass();
                });
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                wakePending.set(false);
            }
        }
    }

    /** The last plan per pool id: desiredSize for the API's status. */
    Map<String, ReconcilePlan> lastPlans() {
        return lastPlans;
    }

    private void safePass() {
        try {
            if (!leading.getAsBoolean()) return;
            pass();
        } catch (RuntimeException e) {
            log.warn("reconciling development-environment pools failed; next pass retries: {}", e.getMessage());
        }
    }

    /** One comparison of desired and actual state, and the actions that close the gap. Package-private for tests. */
    void pass() {
        // Containers first, rows second: a launch writes its row before its container, so every
        // container listed here has its row in what is read next (or is an orphan).
        // Busy is read before the containers are listed and again after the rows: an operation in flight
        // at either moment is in one of the two, so it is never mistaken for an abandoned one, nor one
        // that ended while the engine answered (a stop, a start, a launch) judged from a container state
        // older than its row (stopped in the row, running in the list: it would look dead).
        Set<String> busy = new HashSet<>(inFlight.names());
        List<ContainerState> containers = provider.list(blueprint.owned(Blueprint.KIND_INSTANCE));
        List<InstanceRow> rows = store.all();
        busy.addAll(inFlight.names());
        // A claim that committed before the rows were read may not have put its instance in flight yet (a
        // stopped one it is about to start): while claims are in flight, no claimed instance is judged.
        if (inFlight.claiming()) rows.stream().filter(InstanceRow::claimed).forEach(r -> busy.add(r.name()));
        Set<String> running = new HashSet<>();
        Set<String> stopped = new HashSet<>();
        Set<String> known = new HashSet<>();
        rows.forEach(r -> known.add(r.name()));
        for (ContainerState container : containers) {
            (container.running() ? running : stopped).add(container.name());
            if (!known.contains(container.name()) && !busy.contains(container.name())) {
                attempt("removing instance container " + container.name() + ", which no row refers to", () -> {
                    log.info("removing instance container {}: no row refers to it", container.name());
                    provider.remove(container.id());
                });
            }
        }
        // A claimed instance whose environment is gone: its removal failed earlier (the engine was away); retry.
        List<InstanceRow> orphaned = rows.stream().filter(r -> r.claimed() && !busy.contains(r.name()) && claimHistory.environmentGone(r.environmentId())).toList();
        orphaned.forEach(r -> attempt("removing instance " + r.name() + " of a deleted environment", () -> instances.destroy(r.name())));
        rows = rows.stream().filter(r -> !orphaned.contains(r)).toList();
        Map<String, ReconcilePlan> plans = new HashMap<>();
        Set<String> pooled = new HashSet<>();
        java.time.Instant now = clock.instant();
        Map<String, List<java.time.Instant>> claims = claimHistory.claimTimes(now.minus(scaler.memory()));
        ReconcilePlan.Containers observed = new ReconcilePlan.Containers(running, stopped);
        for (PoolRecord pool : pools.list(null, null, true)) {
            List<InstanceRow> own = rows.stream().filter(r -> pool.id().equals(r.poolId())).toList();
            own.forEach(r -> pooled.add(r.name()));
            if (pool.phase().equals(PoolRecord.DELETED) && own.isEmpty()) continue;
            attempt("reconciling pool " + pool.id(), () -> {
                ReconcilePlan plan = ReconcilePlan.decide(pool, own, observed, busy, instances.health(pool.id()),
                        new ReconcilePlan.Demand(scaler, claims.getOrDefault(pool.id(), List.of())), rotations.of(pool, now), now);
                plans.put(pool.id(), plan);
                act(pool, plan);
            });
        }
        // Cold starts without a pool: only their loss is a question.
        for (InstanceRow row : rows) {
            if (!pooled.contains(row.name()) && !busy.contains(row.name()) && (!running.contains(row.name()) || !row.ready())) {
                attempt("removing lost instance " + row.name(), () -> lose(row, "its container stopped or vanished"));
            }
        }
        lastPlans = Map.copyOf(plans);
        // After the pools acted: a snapshot the pools just left is no longer needed once its instances are gone.
        attempt("collecting unused snapshot images", snapshots::collect);
    }

    /**
     * One item of a pass (a container, a pool, an action): its failure is logged and the rest of the
     * pass goes on, so one bad container does not stall every pool; the next pass tries it again.
     */
    private static void attempt(String what, Runnable item) {
        try {
            item.run();
        } catch (RuntimeException e) {
            log.warn("{} failed; the next pass retries: {}", what, e.getMessage());
        }
    }

    private void act(PoolRecord pool, ReconcilePlan plan) {
        if (!plan.remove().isEmpty() || !plan.lost().isEmpty() || plan.launch() > 0) {
            log.info("pool {}: retiring {} (dead, outdated or surplus), losing {}, launching {}", pool.id(),
                    plan.remove().stream().map(InstanceRow::name).toList(), plan.lost().stream().map(InstanceRow::name).toList(), plan.launch());
        }
        for (InstanceRow row : plan.remove()) attempt("retiring instance " + row.name(), () -> instances.retire(row.name()));
        for (InstanceRow row : plan.lost()) {
            attempt("removing lost instance " + row.name(), () -> lose(row, "its container stopped or vanished, or its launch was interrupted"));
        }
        for (InstanceRow row : plan.stop()) attempt("stopping instance " + row.name(), () -> instances.stop(row.name()));
        for (InstanceRow row : plan.start()) attempt("starting instance " + row.name(), () -> instances.start(row));
        for (int i = 0; i < plan.launch(); i++) attempt("launching an instance for pool " + pool.id(), () -> instances.launchWarm(pool.warmLaunch()));
        if (plan.prebuild()) rotations.prebuild(pool);
        if (!plan.phase().equals(pool.phase()) || !java.util.Objects.equals(plan.failureMessage(), pool.failureMessage())) {
            pools.updateStatus(pool.id(), plan.phase(), plan.failureMessage(), clock.instant());
        }
        if (plan.desiredSize() != pool.desiredSize() && !pool.deleted()) pools.updateDesiredSize(pool.id(), plan.desiredSize(), clock.instant());
    }

    private void lose(InstanceRow row, String reason) {
        log.warn("instance {} lost: {}{}", row.name(), reason, row.environmentId() == null ? "" : "; its environment " + row.environmentId() + " fails");
        if (row.environmentId() != null) environmentLost.accept(row.environmentId(), "the environment's instance was lost: " + reason);
        instances.destroy(row.name());
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
