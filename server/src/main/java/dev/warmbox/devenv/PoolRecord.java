package dev.warmbox.devenv;

/**
 * One warm pool as stored: the seed's spec and status fields, plus warmbox's own
 * {@code maxInstances} (EduIDE's total capacity: warm plus claimed; null is no cap) and
 * {@code releasePolicy} (what happens to an instance when its environment is deleted).
 */
record PoolRecord(String id, String projectId, String environmentClassId, String organizationId, String runnerId,
                  String desiredPhase, int minSize, int maxSize, Integer maxInstances, ReleasePolicy releasePolicy,
                  String snapshotId, long specVersion, String phase, String failureMessage, long statusVersion,
                  boolean deleted, String createdAt, String updatedAt) {

    static final String PENDING = "WARM_POOL_PHASE_PENDING";
    static final String READY = "WARM_POOL_PHASE_READY";
    static final String DEGRADED = "WARM_POOL_PHASE_DEGRADED";
    static final String DELETING = "WARM_POOL_PHASE_DELETING";
    static final String DELETED = "WARM_POOL_PHASE_DELETED";

    enum ReleasePolicy {
        /** The instance is removed; the pool launches a fresh one. */
        RELEASE_POLICY_DESTROY,
        /** The instance is reset to its snapshot's state in place and returned to the pool (EduIDE). */
        RELEASE_POLICY_RESET
    }
}
