package dev.warmbox.devenv;

import dev.warmbox.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The warm_pools table. Spec changes bump specVersion; status changes bump statusVersion. */
final class WarmPoolStore {
    private static final String COLUMNS = "id, project_id, environment_class_id, organization_id, runner_id, desired_phase, "
            + "min_size, max_size, max_instances, release_policy, snapshot_id, spec_version, phase, failure_message, "
            + "status_version, deleted, created_at, updated_at, cron_schedule, cron_timezone, stop_after_initialization, desired_size";

    private final Database database;

    WarmPoolStore(Database database) {
        this.database = database;
    }

    /** Inserts the pool unless its project and class already have one that is not deleted. */
    void insert(PoolRecord pool) {
        database.inTransaction(c -> {
            if (active(c, pool.projectId(), pool.environmentClassId()).isPresent()) {
                throw DevEnvException.conflict("already_exists", "project " + pool.projectId() + " already has a warm pool for environment class "
                        + pool.environmentClassId() + "; only one is allowed per project and class");
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO warm_pools (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                bind(insert, pool);
                return insert.executeUpdate();
            }
        });
    }

    Optional<PoolRecord> find(String id) {
        return database.withConnection(c -> one(c, "SELECT " + COLUMNS + " FROM warm_pools WHERE id = ?", id));
    }

    /** Pools, optionally filtered; deleted ones only if asked (the reconciler still drains them). */
    List<PoolRecord> list(String projectId, String environmentClassId, boolean withDeleted) {
        return database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM warm_pools WHERE (? IS NULL OR project_id = ?) "
                    + "AND (? IS NULL OR environment_class_id = ?) AND (? OR phase != 'WARM_POOL_PHASE_DELETED') ORDER BY created_at, id")) {
                select.setString(1, projectId);
                select.setString(2, projectId);
                select.setString(3, environmentClassId);
                select.setString(4, environmentClassId);
                select.setBoolean(5, withDeleted);
                return many(select);
            }
        });
    }

    Optional<PoolRecord> active(String projectId, String environmentClassId) {
        return database.withConnection(c -> active(c, projectId, environmentClassId));
    }

    static Optional<PoolRecord> active(Connection c, String projectId, String environmentClassId) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + " FROM warm_pools WHERE project_id = ? AND environment_class_id = ? AND deleted = 0")) {
            select.setString(1, projectId);
            select.setString(2, environmentClassId);
            List<PoolRecord> found = many(select);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
        }
    }

    /**
     * Replaces the spec if {@code expectedVersion} is still current (or null: no check), bumping the
     * version; a stale version is a 409, so two admins never overwrite each other unknowingly.
     */
    PoolRecord updateSpec(String id, Long expectedVersion, java.util.function.UnaryOperator<PoolRecord> change) {
        return database.inTransaction(c -> {
            PoolRecord current = one(c, "SELECT " + COLUMNS + " FROM warm_pools WHERE id = ?", id)
                    .orElseThrow(() -> DevEnvException.notFound("warm pool", id));
            if (expectedVersion != null && expectedVersion != current.specVersion()) {
                throw DevEnvException.conflict("stale_spec_version", "specVersion " + expectedVersion + " is stale; the warm pool " + id
                        + " is at specVersion " + current.specVersion() + ": read it again and retry");
            }
            if (current.deleted()) throw DevEnvException.conflict("pool_deleting", "the warm pool " + id + " is being deleted");
            PoolRecord changed = change.apply(current);
            write(c, changed, true);
            return one(c, "SELECT " + COLUMNS + " FROM warm_pools WHERE id = ?", id).orElseThrow();
        });
    }

    /** Status written by the reconciler; bumps statusVersion only when something changed. */
    void updateStatus(String id, String phase, String failureMessage, String now) {
        database.inTransaction(c -> Database.update(c, "UPDATE warm_pools SET phase = ?, failure_message = ?, "
                + "status_version = status_version + 1, updated_at = ? WHERE id = ? AND (phase != ? OR coalesce(failure_message, '') != coalesce(?, ''))",
                phase, failureMessage, now, id, phase, failureMessage));
    }

    /**
     * The autoscaler's new target, stored so the next decision (also after a restart) starts from it;
     * bumps statusVersion only when it changed.
     */
    void updateDesiredSize(String id, int desiredSize, String now) {
        database.inTransaction(c -> Database.update(c, "UPDATE warm_pools SET desired_size = ?, status_version = status_version + 1, "
                + "updated_at = ? WHERE id = ? AND desired_size != ?", desiredSize, now, id, desiredSize));
    }

    /** A new snapshot for every live pool of this project and class (the prebuild finished). */
    void useSnapshot(String projectId, String environmentClassId, String snapshotId, String now) {
        database.inTransaction(c -> Database.update(c, "UPDATE warm_pools SET snapshot_id = ?, spec_version = spec_version + 1, "
                + "updated_at = ? WHERE project_id = ? AND environment_class_id = ? AND deleted = 0", snapshotId, now, projectId, environmentClassId));
    }

    private static void write(Connection c, PoolRecord pool, boolean bumpSpec) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE warm_pools SET desired_phase = ?, min_size = ?, max_size = ?, max_instances = ?, "
                + "release_policy = ?, snapshot_id = ?, spec_version = spec_version + ?, deleted = ?, updated_at = ?, cron_schedule = ?, cron_timezone = ?, "
                + "stop_after_initialization = ? WHERE id = ?")) {
            update.setString(1, pool.desiredPhase());
            update.setInt(2, pool.minSize());
            update.setInt(3, pool.maxSize());
            if (pool.maxInstances() == null) update.setNull(4, Types.INTEGER); else update.setInt(4, pool.maxInstances());
            update.setString(5, pool.releasePolicy().name());
            update.setString(6, pool.snapshotId());
            update.setInt(7, bumpSpec ? 1 : 0);
            update.setBoolean(8, pool.deleted());
            update.setString(9, pool.updatedAt());
            update.setString(10, pool.schedule().cron());
            update.setString(11, pool.schedule().zone());
            update.setBoolean(12, pool.stopAfterInitialization());
            update.setString(13, pool.id());
            update.executeUpdate();
        }
    }

    private static void bind(PreparedStatement s, PoolRecord p) throws SQLException {
        s.setString(1, p.id());
        s.setString(2, p.projectId());
        s.setString(3, p.environmentClassId());
        s.setString(4, p.organizationId());
        s.setString(5, p.runnerId());
        s.setString(6, p.desiredPhase());
        s.setInt(7, p.minSize());
        s.setInt(8, p.maxSize());
        if (p.maxInstances() == null) s.setNull(9, Types.INTEGER); else s.setInt(9, p.maxInstances());
        s.setString(10, p.releasePolicy().name());
        s.setString(11, p.snapshotId());
        s.setLong(12, p.specVersion());
        s.setString(13, p.phase());
        s.setString(14, p.failureMessage());
        s.setLong(15, p.statusVersion());
        s.setBoolean(16, p.deleted());
        s.setString(17, p.createdAt());
        s.setString(18, p.updatedAt());
        s.setString(19, p.schedule().cron());
        s.setString(20, p.schedule().zone());
        s.setBoolean(21, p.stopAfterInitialization());
        s.setInt(22, p.desiredSize());
    }

    private static Optional<PoolRecord> one(Connection c, String sql, String id) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(sql)) {
            select.setString(1, id);
            List<PoolRecord> found = many(select);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
        }
    }

    private static List<PoolRecord> many(PreparedStatement select) throws SQLException {
        try (ResultSet r = select.executeQuery()) {
            List<PoolRecord> pools = new ArrayList<>();
            while (r.next()) {
                int maxInstances = r.getInt(9);
                Integer cap = r.wasNull() ? null : maxInstances;
                pools.add(new PoolRecord(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getString(6),
                        r.getInt(7), r.getInt(8), cap, PoolRecord.ReleasePolicy.valueOf(r.getString(10)), r.getString(11),
                        r.getLong(12), r.getString(13), r.getString(14), r.getLong(15), r.getBoolean(16), r.getString(17), r.getString(18),
                        new PoolRecord.Schedule(r.getString(19), r.getString(20)), r.getBoolean(21), r.getInt(22)));
            }
            return pools;
        }
    }
}
