package dev.warmbox.devenv.pools;

import dev.warmbox.devenv.catalog.Catalog;
import dev.warmbox.devenv.catalog.GitRefs;
import dev.warmbox.devenv.catalog.Project;
import dev.warmbox.devenv.prebuilds.Prebuild;
import dev.warmbox.devenv.prebuilds.Prebuilds;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What pool rotation needs to observe, for the reconciler: the fingerprint of the project's and
 * class's definitions, and whether the pool's snapshot is older than the rotation period while the
 * project's git ref has moved on (then a new prebuild gives a snapshot from the fresher commit); and
 * the one action of its own, starting that prebuild.
 */
public final class Rotations {
    private static final Logger log = LoggerFactory.getLogger(Rotations.class);

    private final Catalog catalog;
    private final Prebuilds prebuilds;
    private final Duration period;

    public Rotations(Catalog catalog, Prebuilds prebuilds, Duration period) {
        this.catalog = catalog;
        this.prebuilds = prebuilds;
        this.period = period;
    }

    ReconcilePlan.Rotation of(PoolRecord pool, Instant now) {
        if (pool.deleted()) return ReconcilePlan.Rotation.NONE;
        return new ReconcilePlan.Rotation(catalog.fingerprint(pool.projectId(), pool.environmentClassId()), period, source(pool, now));
    }

    /** The snapshot's origin and the source's current commit; null when there is nothing to compare (no git, no period, young snapshot). */
    private ReconcilePlan.Source source(PoolRecord pool, Instant now) {
        Project.Git git = catalog.project(pool.projectId()).source().git();
        if (git == null || period.isZero() || pool.snapshotId() == null) return null;
        Prebuilds.Origin origin = prebuilds.origin(pool.snapshotId()).orElse(null);
        if (origin == null || origin.builtAt() == null || now.isBefore(origin.builtAt().plus(period))) return null;
        String current = GitRefs.commit(Catalog.localRepository(git.url()), git.ref()).orElse(null);
        return new ReconcilePlan.Source(origin.builtAt(), origin.commit(), current,
                prebuilds.lastStarted(pool.projectId(), pool.environmentClassId()).orElse(null));
    }

    void prebuild(PoolRecord pool) {
        try {
            Prebuild started = prebuilds.start(pool.projectId(), pool.environmentClassId());
            log.info("pool {}: its snapshot is older than {} and the project's ref moved on; prebuild {} started", pool.id(), period, started.id());
        } catch (RuntimeException e) {
            log.warn("pool {}: could not start a prebuild from the fresher commit: {}", pool.id(), e.getMessage());
        }
    }
}
