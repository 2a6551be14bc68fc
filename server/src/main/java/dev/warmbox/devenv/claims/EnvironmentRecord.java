package dev.warmbox.devenv.claims;

import java.time.Instant;

/** An environment as stored: whose it is, what it runs on, and where it is in its life. */
record EnvironmentRecord(String id, String ownerKeyId, String projectId, String environmentClassId, String poolId,
                         String instanceName, boolean warm, String phase, String failureMessage, Instant createdAt,
                         Instant readyAt, Instant updatedAt) {
    static final String CREATING = "ENVIRONMENT_PHASE_CREATING";
    static final String STARTING = "ENVIRONMENT_PHASE_STARTING";
    static final String RUNNING = "ENVIRONMENT_PHASE_RUNNING";
    static final String FAILED = "ENVIRONMENT_PHASE_FAILED";
    static final String DELETING = "ENVIRONMENT_PHASE_DELETING";
    static final String DELETED = "ENVIRONMENT_PHASE_DELETED";

    boolean gone() {
        return phase.equals(DELETED);
    }
}
