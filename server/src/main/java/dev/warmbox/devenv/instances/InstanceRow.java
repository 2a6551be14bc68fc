package dev.warmbox.devenv.instances;

import dev.warmbox.devenv.catalog.Catalog;
import java.time.Instant;

/**
 * One instance (a container) as the database knows it. The container's name is the key, so the
 * reconciler can match rows to what the engine lists by label after a restart.
 *
 * @param state   STARTING (launching or warming up), WARM (claimable), CLAIMED (an environment's),
 *                RESETTING (released, being reset to return to the pool)
 * @param ready   whether its warm-up finished; a claim may take it before (optimistic claim)
 * @param address where the container is reachable from this host, once started
 * @param stopped whether its container is stopped (a stopped instance: initialized, kept on disk only); with
 *                {@code ready} false it is being stopped or started and no claim may take it
 * @param fingerprint the project's and class's definitions it was made from ({@link Catalog#fingerprint}); null for cold starts
 */
public record InstanceRow(String name, String poolId, String projectId, String snapshotId, String state, boolean ready,
                   String address, String environmentId, Instant createdAt, Instant readyAt, boolean stopped, String fingerprint) {
    public static final String STARTING = "STARTING";
    public static final String WARM = "WARM";
    public static final String CLAIMED = "CLAIMED";
    public static final String RESETTING = "RESETTING";

    public boolean claimed() {
        return state.equals(CLAIMED);
    }
}
