package dev.warmbox.devenv.pools;

import dev.warmbox.devenv.instances.Instances;
import dev.warmbox.devenv.scaling.ActiveHours;
import java.time.Instant;

/**
 * One warm pool as stored: the seed's spec and status fields, plus warmbox's own
 * {@code maxInstances} (EduIDE's total capacity: warm plus claimed; null is no cap) and
 * {@code releasePolicy} (what happens to an instance when its environment is deleted).
 *
 * @param schedule    CodeCanvas' active hours: cron schedule and zone; null fields when the pool is always active
 * @param desiredSize the autoscaler's last target (status.desiredSize), -1 before the first decision
 */
public record PoolRecord(String id, String projectId, String environmentClassId, String organizationId, String runnerId,
                  String desiredPhase, int minSize, int maxSize, Integer maxInstances, ReleasePolicy releasePolicy,
                  String snapshotId, long specVersion, String phase, String failureMessage, long statusVersion,
                  boolean deleted, Instant createdAt, Instant updatedAt, Schedule schedule, boolean stopAfterInitialization,
                  int desiredSize) {

    /** Active hours as stored; {@code cron} null means always active. */
    public record Schedule(String cron, String zone) {
        public static final Schedule ALWAYS = new Schedule(null, null);

        /** The parsed schedule, or null when the pool is always active. */
        ActiveHours hours() {
            return cron == null ? null : ActiveHours.of(cron, zone);
        }
    }

    public static final String PENDING = "WARM_POOL_PHASE_PENDING";
    public static final String READY = "WARM_POOL_PHASE_READY";
    public static final String DEGRADED = "WARM_POOL_PHASE_DEGRADED";
    public static final String DELETING = "WARM_POOL_PHASE_DELETING";
    public static final String DELETED = "WARM_POOL_PHASE_DELETED";

    /** The same pool with a new spec (an admin's update); status and identity unchanged. */
    PoolRecord withSpec(int minSize, int maxSize, Integer maxInstances, ReleasePolicy releasePolicy, Schedule schedule,
                        boolean stopAfterInitialization, Instant updatedAt) {
        return new PoolRecord(id, projectId, environmentClassId, organizationId, runnerId, desiredPhase, minSize, maxSize, maxInstances,
                releasePolicy, snapshotId, specVersion, phase, failureMessage, statusVersion, deleted, createdAt, updatedAt, schedule,
                stopAfterInitialization, desiredSize);
    }

    /** What the pool's next warm instance is for and made from. */
    Instances.WarmLaunch warmLaunch() {
        return new Instances.WarmLaunch(id, projectId, environmentClassId, snapshotId);
    }

    /** The same pool asked to drain and go away. */
    PoolRecord deleting(Instant updatedAt) {
        return new PoolRecord(id, projectId, environmentClassId, organizationId, runnerId, DELETED, minSize, maxSize, maxInstances,
                releasePolicy, snapshotId, specVersion, phase, failureMessage, statusVersion, true, createdAt, updatedAt, schedule,
                stopAfterInitialization, desiredSize);
    }

    public enum ReleasePolicy {
        /** The instance is removed; the pool launches a fresh one. */
        RELEASE_POLICY_DESTROY,
        /** The instance is reset to its snapshot's state in place and returned to the pool (EduIDE). */
        RELEASE_POLICY_RESET
    }
}
