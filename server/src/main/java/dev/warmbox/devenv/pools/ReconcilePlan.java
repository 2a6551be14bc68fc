package dev.warmbox.devenv.pools;

import dev.warmbox.devenv.instances.InstanceRow;
import dev.warmbox.devenv.scaling.Autoscaler;
import dev.warmbox.devenv.scaling.LaunchHealth;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * What one pool needs, decided from desired state (the pool's row) and observed state (instance rows,
 * the engine's containers, the operations in flight, the pool's claims) alone, so it is unit-tested
 * without an engine and a restart can decide again from scratch. Nothing here acts.
 *
 * <p>The warm instances a pool keeps: {@code desiredSize} running (the autoscaler's target), and, while
 * that is above zero, stopped ones up to {@code maxSize} (Ona's stopped instances), all within
 * {@code maxInstances} minus the claimed ones. With {@code stopAfterInitialization} none runs: every
 * warm instance is stopped once initialized and a claim starts one. New instances are launched
 * running; a later pass stops the ones beyond the running target.
 *
 * @param launch       instances to launch now
 * @param remove       instances to remove (container and row): dead, outdated, excess, or draining
 * @param lost         claimed instances whose container is gone: their environments have failed
 * @param start        stopped warm instances to start (scale-out, backfill after a claim)
 * @param stop         running warm instances to stop (beyond the running target)
 * @param prebuild     start a prebuild: the snapshot is older than the rotation period and the project's git ref moved on
 * @param desiredSize  the autoscaler's stable target of running warm instances (the status' desiredSize, stored for the next
 *                     decision); what runs may be lower when {@code maxInstances} leaves less room
 */
record ReconcilePlan(int launch, List<InstanceRow> remove, List<InstanceRow> lost, List<InstanceRow> start, List<InstanceRow> stop,
                     boolean prebuild, String phase, String failureMessage, int desiredSize) {

    /** What the autoscaler needs besides the pool: its windows, and the pool's recent claims (warm and cold). */
    record Demand(Autoscaler scaler, List<Instant> claims) {
        static final Demand NONE = new Demand(Autoscaler.DEFAULTS, List.of());
    }

    /**
     * CodeCanvas' pool rotation: warm instances made from another definition of the project or class
     * ({@code fingerprint}, null: unknown, no check) are recreated; one unused for longer than
     * {@code unusedFor} (zero: never) is replaced per pass, so the pool is never emptied at once.
     */
    record Rotation(String fingerprint, java.time.Duration unusedFor, Source source) {
        static final Rotation NONE = new Rotation(null, java.time.Duration.ZERO, null);

        Rotation(String fingerprint, java.time.Duration unusedFor) {
            this(fingerprint, unusedFor, null);
        }
    }

    /**
     * Where the pool's snapshot came from and where its project's git ref is now; null when the project
     * has no git source or the snapshot is younger than the rotation period.
     *
     * @param builtFrom        the commit the snapshot was prebuilt from (null: unknown)
     * @param current          the commit the project's ref points at now (null: unreadable)
     * @param lastPrebuildAt   when the newest prebuild of the project and class started, whatever became of it
     */
    record Source(Instant builtAt, String builtFrom, String current, Instant lastPrebuildAt) {
        /**
         * A snapshot older than the period whose source moved on is rebuilt, so rotation brings a fresher
         * commit; at most one prebuild per period, so one running or failed is not started again and again.
         */
        boolean stale(java.time.Duration period, Instant now) {
            return current != null && !current.equals(builtFrom) && !now.isBefore(builtAt.plus(period))
                    && (lastPrebuildAt == null || !now.isBefore(lastPrebuildAt.plus(period)));
        }
    }

    /** The engine's instance containers by name: running, and stopped (present but not running). */
    record Containers(Set<String> running, Set<String> stopped) {}

    static ReconcilePlan decide(PoolRecord pool, List<InstanceRow> rows, Set<String> running, Set<String> busy, LaunchHealth health, Instant now) {
        return decide(pool, rows, new Containers(running, Set.of()), busy, health, Demand.NONE, Rotation.NONE, now);
    }

    /**
     * @param rows       this pool's instance rows
     * @param busy       names of instances an operation (launch, personalize, reset, stop, start, destroy) is working on
     */
    static ReconcilePlan decide(PoolRecord pool, List<InstanceRow> rows, Containers containers, Set<String> busy, LaunchHealth health,
                                Demand demand, Rotation rotation, Instant now) {
        List<InstanceRow> remove = new ArrayList<>();
        List<InstanceRow> lost = new ArrayList<>();
        List<InstanceRow> live = new ArrayList<>();
        for (InstanceRow row : rows) {
            if (busy.contains(row.name())) live.add(row);
            else if (alive(row, containers)) live.add(row);
            else (row.claimed() ? lost : remove).add(row); // dead, or a launch, reset, stop or start a restart interrupted
        }
        return plan(pool, live, remove, lost, busy, health, demand, rotation, now);
    }

    /** The decision for the live instances, once the dead ones are sorted out. */
    private static ReconcilePlan plan(PoolRecord pool, List<InstanceRow> live, List<InstanceRow> remove, List<InstanceRow> lost, Set<String> busy,
                                      LaunchHealth health, Demand demand, Rotation rotation, Instant now) {
        long claimed = live.stream().filter(InstanceRow::claimed).count();
        List<InstanceRow> warm = new ArrayList<>(live.stream().filter(r -> !r.claimed()).toList());

        if (pool.deleted()) {
            for (InstanceRow row : warm) if (!busy.contains(row.name())) remove.add(row);
            boolean drained = claimed == 0 && warm.stream().noneMatch(r -> busy.contains(r.name()));
            return new ReconcilePlan(0, remove, lost, List.of(), List.of(), false, drained ? PoolRecord.DELETED : PoolRecord.DELETING, null, 0);
        }
        if (pool.snapshotId() == null) return new ReconcilePlan(0, remove, lost, List.of(), List.of(), false, PoolRecord.PENDING, null, 0);

        List<InstanceRow> outdated = replaced(warm, pool, busy, rotation, now);
        remove.addAll(outdated);
        warm.removeAll(outdated);
        int desired = demand.scaler().target(new Autoscaler.Pool(pool.minSize(), pool.maxSize(), pool.createdAt(),
                pool.schedule().hours()), pool.desiredSize(), demand.claims(), now);
        int room = pool.maxInstances() == null ? Integer.MAX_VALUE : (int) Math.max(0, pool.maxInstances() - claimed);
        int total = Math.min(desired == 0 ? 0 : Math.max(desired, pool.maxSize()), room);
        int runningTarget = pool.stopAfterInitialization() ? 0 : Math.min(desired, total);
        List<InstanceRow> excess = pick(warm, busy, warm.size() - total, Comparator.comparing(InstanceRow::stopped).reversed()
                .thenComparing(Comparator.comparing(InstanceRow::createdAt).reversed()));
        remove.addAll(excess);
        warm.removeAll(excess);

        List<InstanceRow> runningNow = warm.stream().filter(r -> !r.stopped()).toList();
        List<InstanceRow> stop = pick(runningNow.stream().filter(InstanceRow::ready).toList(), busy, runningNow.size() - runningTarget,
                Comparator.comparing(InstanceRow::createdAt).reversed());
        List<InstanceRow> start = pick(warm.stream().filter(r -> r.stopped() && r.ready()).toList(), busy, runningTarget - runningNow.size(),
                Comparator.comparing(InstanceRow::createdAt));
        int launch = health.backingOff(now) ? 0 : Math.max(0, total - warm.size());
        boolean prebuild = rotation.source() != null && rotation.source().stale(rotation.unusedFor(), now);
        return health.degraded()
                ? new ReconcilePlan(launch, remove, lost, start, stop, prebuild, PoolRecord.DEGRADED, health.lastMessage(), desired)
                : new ReconcilePlan(launch, remove, lost, start, stop, prebuild, PoolRecord.READY, null, desired);
    }

    /** Warm instances to replace: all of an older snapshot or definition, else the one unused longest beyond the period. */
    private static List<InstanceRow> replaced(List<InstanceRow> warm, PoolRecord pool, Set<String> busy, Rotation rotation, Instant now) {
        List<InstanceRow> outdated = new ArrayList<>(warm.stream().filter(r -> !busy.contains(r.name()) && outdated(r, pool, rotation)).toList());
        if (outdated.isEmpty() && !rotation.unusedFor().isZero()) {
            Instant unusedSince = now.minus(rotation.unusedFor());
            warm.stream().filter(r -> !busy.contains(r.name()) && r.readyAt() != null && r.readyAt().isBefore(unusedSince))
                    .min(Comparator.comparing(InstanceRow::readyAt)).ifPresent(outdated::add);
        }
        return outdated;
    }

    /** A warm instance of an older snapshot, or of an older definition of the project or class. */
    private static boolean outdated(InstanceRow row, PoolRecord pool, Rotation rotation) {
        if (!row.snapshotId().equals(pool.snapshotId())) return true;
        return rotation.fingerprint() != null && row.fingerprint() != null && !row.fingerprint().equals(rotation.fingerprint());
    }

    /** Whether an instance no operation is working on is what its row says: running, or stopped and ready to start. */
    private static boolean alive(InstanceRow row, Containers containers) {
        if (row.claimed()) return row.ready() && containers.running().contains(row.name());
        if (!row.state().equals(InstanceRow.WARM) || !row.ready()) return false;
        return row.stopped() ? containers.stopped().contains(row.name()) : containers.running().contains(row.name());
    }

    /** Up to {@code count} instances no operation is working on, in the given order. */
    private static List<InstanceRow> pick(List<InstanceRow> from, Set<String> busy, int count, Comparator<InstanceRow> order) {
        if (count <= 0) return List.of();
        return from.stream().filter(r -> !busy.contains(r.name())).sorted(order).limit(count).toList();
    }
}
