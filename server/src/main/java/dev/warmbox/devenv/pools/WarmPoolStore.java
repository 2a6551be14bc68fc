package dev.warmbox.devenv.pools;

import dev.warmbox.devenv.requests.DevEnvException;
import dev.warmbox.store.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The warm_pools table. Spec changes bump specVersion; status changes bump statusVersion. Statements
 * bind by name through Jdbi: a pool's record binds its own accessors ({@code :minSize} is
 * {@code minSize()}), so no column is matched to a value by its position; times are epoch milliseconds.
 */
public final class WarmPoolStore {
    private static final String SELECT = "SELECT * FROM warm_pools";

    private final Database database;

    public WarmPoolStore(Database database) {
        this.database = database;
    }

    /** Inserts the pool unless its project and class already have one that is not deleted. */
    void insert(PoolRecord pool) {
        database.transaction(h -> {
            if (active(h, pool.projectId(), pool.environmentClassId()).isPresent()) {
                throw DevEnvException.conflict("already_exists", "project " + pool.projectId() + " already has a warm pool for environment class "
                        + pool.environmentClassId() + "; only one is allowed per project and class");
            }
            return h.createUpdate("""
                    INSERT INTO warm_pools (id, project_id, environment_class_id, organization_id, runner_id, desired_phase, min_size, max_size,
                        max_instances, release_policy, snapshot_id, spec_version, phase, failure_message, status_version, deleted, created_at,
                        updated_at, cron_schedule, cron_timezone, stop_after_initialization, desired_size)
                    VALUES (:id, :projectId, :environmentClassId, :organizationId, :runnerId, :desiredPhase, :minSize, :maxSize,
                        :maxInstances, :releasePolicy, :snapshotId, :specVersion, :phase, :failureMessage, :statusVersion, :deleted, :createdAt,
                        :updatedAt, :cron, :zone, :stopAfterInitialization, :desiredSize)""")
                    .bindMethods(pool).bindMethods(pool.schedule()).execute();
        });
    }

    public Optional<PoolRecord> find(String id) {
        return database.handle(h -> find(h, id));
    }

    /** Pools, optionally filtered; deleted ones only if asked (the reconciler still drains them). */
    List<PoolRecord> list(String projectId, String environmentClassId, boolean withDeleted) {
        return database.handle(h -> h.createQuery(SELECT + " WHERE (:project IS NULL OR project_id = :project) "
                        + "AND (:class IS NULL OR environment_class_id = :class) AND (:withDeleted = 1 OR phase != 'WARM_POOL_PHASE_DELETED') "
                        + "ORDER BY created_at, id")
                .bind("project", projectId).bind("class", environmentClassId).bind("withDeleted", withDeleted)
                .map(WarmPoolStore::pool).list());
    }

    /** Pools not yet deleted, counted by stored phase (e.g. {@code WARM_POOL_PHASE_DEGRADED}); one query, for the meters. */
    public Map<String, Long> countByPhase() {
        return database.handle(h -> h.createQuery("SELECT phase, COUNT(*) FROM warm_pools WHERE phase != 'WARM_POOL_PHASE_DELETED' GROUP BY phase")
                .map((rows, context) -> Map.entry(rows.getString(1), rows.getLong(2))).list()
                .stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }

    public Optional<PoolRecord> active(String projectId, String environmentClassId) {
        return database.handle(h -> active(h, projectId, environmentClassId));
    }

    /**
     * Replaces the spec if {@code expectedVersion} is still current (or null: no check), bumping the
     * version; a stale version is a 409, so two admins never overwrite each other unknowingly.
     */
    PoolRecord updateSpec(String id, Long expectedVersion, UnaryOperator<PoolRecord> change) {
        return database.transaction(h -> {
            PoolRecord current = find(h, id).orElseThrow(() -> DevEnvException.notFound("warm pool", id));
            if (expectedVersion != null && expectedVersion != current.specVersion()) {
                throw DevEnvException.conflict("stale_spec_version", "specVersion " + expectedVersion + " is stale; the warm pool " + id
                        + " is at specVersion " + current.specVersion() + ": read it again and retry");
            }
            if (current.deleted()) throw DevEnvException.conflict("pool_deleting", "the warm pool " + id + " is being deleted");
            PoolRecord changed = change.apply(current);
            h.createUpdate("""
                    UPDATE warm_pools SET desired_phase = :desiredPhase, min_size = :minSize, max_size = :maxSize, max_instances = :maxInstances,
                        release_policy = :releasePolicy, snapshot_id = :snapshotId, spec_version = spec_version + 1, deleted = :deleted,
                        updated_at = :updatedAt, cron_schedule = :cron, cron_timezone = :zone, stop_after_initialization = :stopAfterInitialization
                    WHERE id = :id""").bindMethods(changed).bindMethods(changed.schedule()).execute();
            return find(h, id).orElseThrow();
        });
    }

    /** Status written by the reconciler; bumps statusVersion only when something changed. */
    void updateStatus(String id, String phase, String failureMessage, Instant now) {
        database.transaction(h -> h.createUpdate("UPDATE warm_pools SET phase = :phase, failure_message = :message, "
                        + "status_version = status_version + 1, updated_at = :now "
                        + "WHERE id = :id AND (phase != :phase OR coalesce(failure_message, '') != coalesce(:message, ''))")
                .bind("id", id).bind("phase", phase).bind("message", failureMessage).bind("now", now).execute());
    }

    /**
     * The autoscaler's new target, stored so the next decision (also after a restart) starts from it;
     * bumps statusVersion only when it changed.
     */
    void updateDesiredSize(String id, int desiredSize, Instant now) {
        database.transaction(h -> h.createUpdate("UPDATE warm_pools SET desired_size = :size, status_version = status_version + 1, "
                        + "updated_at = :now WHERE id = :id AND desired_size != :size")
                .bind("id", id).bind("size", desiredSize).bind("now", now).execute());
    }

    /** A new snapshot for every live pool of this project and class (the prebuild finished). */
    public void useSnapshot(String projectId, String environmentClassId, String snapshotId, Instant now) {
        database.transaction(h -> h.createUpdate("UPDATE warm_pools SET snapshot_id = :snapshot, spec_version = spec_version + 1, "
                        + "updated_at = :now WHERE project_id = :project AND environment_class_id = :class AND deleted = 0")
                .bind("snapshot", snapshotId).bind("now", now).bind("project", projectId).bind("class", environmentClassId).execute());
    }

    private static Optional<PoolRecord> find(Handle h, String id) {
        return h.createQuery(SELECT + " WHERE id = :id").bind("id", id).map(WarmPoolStore::pool).findOne();
    }

    private static Optional<PoolRecord> active(Handle h, String projectId, String environmentClassId) {
        return h.createQuery(SELECT + " WHERE project_id = :project AND environment_class_id = :class AND deleted = 0")
                .bind("project", projectId).bind("class", environmentClassId).map(WarmPoolStore::pool).findFirst();
    }

    private static PoolRecord pool(ResultSet r, StatementContext context) throws SQLException {
        int maxInstances = r.getInt("max_instances");
        Integer cap = r.wasNull() ? null : maxInstances;
        return new PoolRecord(r.getString("id"), r.getString("project_id"), r.getString("environment_class_id"), r.getString("organization_id"),
                r.getString("runner_id"), r.getString("desired_phase"), r.getInt("min_size"), r.getInt("max_size"), cap,
                PoolRecord.ReleasePolicy.valueOf(r.getString("release_policy")), r.getString("snapshot_id"), r.getLong("spec_version"),
                r.getString("phase"), r.getString("failure_message"), r.getLong("status_version"), r.getBoolean("deleted"),
                Database.instant(r, "created_at"), Database.instant(r, "updated_at"), new PoolRecord.Schedule(r.getString("cron_schedule"), r.getString("cron_timezone")),
                r.getBoolean("stop_after_initialization"), r.getInt("desired_size"));
    }
}
