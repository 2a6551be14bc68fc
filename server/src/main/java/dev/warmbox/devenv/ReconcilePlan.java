package dev.warmbox.devenv;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one pool needs, decided from desired state (the pool's row) and observed state (instance rows,
 * the engine's containers, the operations in flight) alone, so it is unit-tested without an engine
 * and a restart can decide again from scratch. Nothing here acts.
 *
 * @param launch       instances to launch now
 * @param remove       instances to remove (container and row): dead, outdated, excess, or draining
 * @param lost         claimed instances whose container is gone: their environments have failed
 * @param desiredSize  the autoscaler's stable target of warm instances (the status' desiredSize, stored for the next decision);
 *                     what is launched may be lower when {@code maxInstances} leaves less room
 */
record ReconcilePlan(int launch, List<InstanceRow> remove, List<InstanceRow> lost, String phase, String failureMessage, int desiredSize) {

    /** What the autoscaler needs besides the pool: its windows, and the pool's recent claims (warm and cold). */
    record Demand(Autoscaler scaler, List<Instant> claims) {
        static final Demand NONE = new Demand(Autoscaler.DEFAULTS, List.of());
    }

    static ReconcilePlan decide(PoolRecord pool, List<InstanceRow> rows, Set<String> running, Set<String> busy, LaunchHealth health, Instant now) {
        return decide(pool, rows, running, busy, health, Demand.NONE, now);
    }

    /**
     * @param rows       this pool's instance rows
     * @param running    names of the instance containers the engine reports running
     * @param busy       names of instances an operation (launch, personalize, reset, destroy) is working on
     */
    static ReconcilePlan decide(PoolRecord pool, List<InstanceRow> rows, Set<String> running, Set<String> busy, LaunchHealth health,
                                Demand demand, Instant now) {
        List<InstanceRow> remove = new ArrayList<>();
        List<InstanceRow> lost = new ArrayList<>();
        List<InstanceRow> live = new ArrayList<>();
        for (InstanceRow row : rows) {
            if (busy.contains(row.name())) {
                live.add(row);
            } else if (!running.contains(row.name()) || !row.ready() && !row.claimed() || !row.claimed() && !row.state().equals(InstanceRow.WARM)) {
                // Dead, or a launch or reset no one is doing any more (a restart interrupted it).
                (row.claimed() ? lost : remove).add(row);
            } else if (row.claimed() && !row.ready()) {
                lost.add(row);
            } else {
                live.add(row);
            }
        }
        long claimed = live.stream().filter(InstanceRow::claimed).count();
        List<InstanceRow> warm = new ArrayList<>(live.stream().filter(r -> !r.claimed()).toList());

        if (pool.deleted()) {
            for (InstanceRow row : warm) if (!busy.contains(row.name())) remove.add(row);
            boolean drained = claimed == 0 && warm.stream().noneMatch(r -> busy.contains(r.name()));
            return new ReconcilePlan(0, remove, lost, drained ? PoolRecord.DELETED : PoolRecord.DELETING, null, 0);
        }
        if (pool.snapshotId() == null) return new ReconcilePlan(0, remove, lost, PoolRecord.PENDING, null, 0);

        for (InstanceRow row : List.copyOf(warm)) {
            if (!row.snapshotId().equals(pool.snapshotId()) && !busy.contains(row.name())) {
                remove.add(row);
                warm.remove(row);
            }
        }
        int desired = demand.scaler().target(new Autoscaler.Pool(pool.minSize(), pool.maxSize(), Instant.parse(pool.createdAt()),
                pool.schedule().hours()), pool.desiredSize(), demand.claims(), now);
        int target = desired;
        if (pool.maxInstances() != null) target = (int) Math.max(0, Math.min(target, pool.maxInstances() - claimed));
        int excess = warm.size() - target;
        if (excess > 0) {
            warm.stream().filter(r -> !busy.contains(r.name()))
                    .sorted(Comparator.comparing(InstanceRow::createdAt).reversed())
                    .limit(excess)
                    .forEach(remove::add);
        }
        int launch = health.backingOff(now) ? 0 : Math.max(0, target - warm.size());
        return health.degraded()
                ? new ReconcilePlan(launch, remove, lost, PoolRecord.DEGRADED, health.lastMessage(), desired)
                : new ReconcilePlan(launch, remove, lost, PoolRecord.READY, null, desired);
    }

    /** Counts of a pool's instances by state, for status and metrics. */
    static Map<String, Long> countByState(List<InstanceRow> rows) {
        return rows.stream().collect(java.util.stream.Collectors.groupingBy(
                r -> r.state().equals(InstanceRow.WARM) && !r.ready() ? InstanceRow.STARTING : r.state(), java.util.stream.Collectors.counting()));
    }
}
