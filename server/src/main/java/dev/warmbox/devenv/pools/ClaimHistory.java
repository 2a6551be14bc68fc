package dev.warmbox.devenv.pools;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the reconciler observes of claims, which live in the room above it: when they were made (the
 * demand the autoscaler follows) and whether an environment is gone (its instance is then an orphan).
 */
public interface ClaimHistory {
    /** The times of every claim made on each pool since {@code since}, by pool id; deleted environments included. */
    Map<String, List<Instant>> claimTimes(Instant since);

    /** True when no environment of that id exists, or it is deleted; also for a null id. */
    boolean environmentGone(String environmentId);
}
