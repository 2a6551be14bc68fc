package dev.warmbox.devenv.instances;

import dev.warmbox.store.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The devenv_instances table: one row per instance, keyed by its container's name. Every change is its
 * own write transaction; the claim, which also writes the environment, runs the
 * methods that take a {@link Handle} inside its own. Times are epoch milliseconds, so they sort as times.
 */
public final class InstanceStore {
    private static final String SELECT = "SELECT * FROM devenv_instances";

    private final Database database;

    public InstanceStore(Database database) {
        this.database = database;
    }

    /** A row written before its container exists (a pool's launch, or a test's leftover). */
    public void insert(InstanceRow row) {
        database.transaction(h -> {
            insert(h, row);
            return null;
        });
    }

    public void insert(Handle h, InstanceRow i) {
        h.createUpdate("""
                INSERT INTO devenv_instances (name, pool_id, project_id, snapshot_id, state, ready, address, environment_id, created_at,
                    ready_at, stopped, spec_fingerprint)
                VALUES (:name, :poolId, :projectId, :snapshotId, :state, :ready, :address, :environmentId, :createdAt,
                    :readyAt, :stopped, :fingerprint)""")
                .bind("name", i.name()).bind("poolId", i.poolId()).bind("projectId", i.projectId()).bind("snapshotId", i.snapshotId())
                .bind("state", i.state()).bind("ready", i.ready()).bind("address", i.address()).bind("environmentId", i.environmentId())
                .bind("createdAt", i.createdAt()).bind("readyAt", i.readyAt()).bind("stopped", i.stopped()).bind("fingerprint", i.fingerprint())
                .execute();
    }

    /**
     * The instance of the pool a claim takes: a running one (ready first, then one still warming up,
     * oldest first), else a stopped one; never one being stopped or started.
     */
    public Optional<InstanceRow> claimable(Handle h, String poolId) {
        return h.createQuery(SELECT + " WHERE pool_id = :pool AND state IN ('WARM', 'STARTING') "
                        + "AND NOT (stopped = 1 AND ready = 0) ORDER BY stopped, ready DESC, created_at, name LIMIT 1")
                .bind("pool", poolId).map(InstanceStore::row).findOne();
    }

    /** The claim's mark: the instance is the environment's now. */
    public void markClaimed(Handle h, String name, String environmentId) {
        h.createUpdate("UPDATE devenv_instances SET state = 'CLAIMED', environment_id = :environment WHERE name = :name")
                .bind("environment", environmentId).bind("name", name).execute();
    }

    /**
     * The instance finished warming up. Returns its state at that moment: CLAIMED means a claim took it
     * while it warmed and the caller must now personalize it; the claim could not, as it was not ready.
     */
    Optional<InstanceRow> markReady(String name, String address, Instant now) {
        return database.transaction(h -> {
            h.createUpdate("UPDATE devenv_instances SET ready = 1, ready_at = :now, address = coalesce(:address, address), "
                            + "state = CASE state WHEN 'STARTING' THEN 'WARM' WHEN 'RESETTING' THEN 'WARM' ELSE state END WHERE name = :name")
                    .bind("now", now).bind("address", address).bind("name", name).execute();
            return find(h, name);
        });
    }

    /** Takes a ready, running warm instance out of the claimable set to stop it; false if a claim was first. */
    boolean beginStop(String name) {
        return update("UPDATE devenv_instances SET stopped = 1, ready = 0 WHERE name = :name AND state = 'WARM' AND ready = 1 AND stopped = 0", name) > 0;
    }

    /** Its container stopped: claimable again, as a stopped instance. */
    void finishStop(String name) {
        update("UPDATE devenv_instances SET ready = 1 WHERE name = :name AND stopped = 1", name);
    }

    /** Takes a stopped warm instance out of the claimable set to start it; false if a claim was first. */
    boolean beginStart(String name) {
        return update("UPDATE devenv_instances SET ready = 0 WHERE name = :name AND state = 'WARM' AND ready = 1 AND stopped = 1", name) > 0;
    }

    /** Its container runs again at {@code address}; ready (a claimed one is personalized next). */
    Optional<InstanceRow> finishStart(String name, String address) {
        return database.transaction(h -> {
            h.createUpdate("UPDATE devenv_instances SET stopped = 0, ready = 1, address = :address WHERE name = :name")
                    .bind("address", address).bind("name", name).execute();
            return find(h, name);
        });
    }

    void setAddress(String name, String address) {
        database.transaction(h -> h.createUpdate("UPDATE devenv_instances SET address = :address WHERE name = :name")
                .bind("address", address).bind("name", name).execute());
    }

    /** Released by its environment: back to warming up (reset), and no longer anyone's. */
    void beginReset(String name) {
        update("UPDATE devenv_instances SET state = 'RESETTING', ready = 0, environment_id = NULL WHERE name = :name", name);
    }

    /**
     * Takes an unclaimed instance out of the pool before it is removed, so no claim can take it in
     * between; false if a claim was first (then it is the environment's, not the pool's, to remove).
     */
    boolean retire(String name) {
        return database.transaction(h -> {
            if (find(h, name).isEmpty()) return true;
            return h.createUpdate("UPDATE devenv_instances SET state = 'RESETTING', ready = 0 WHERE name = :name AND state != 'CLAIMED'")
                    .bind("name", name).execute() > 0;
        });
    }

    void delete(String name) {
        update("DELETE FROM devenv_instances WHERE name = :name", name);
    }

    public Optional<InstanceRow> find(String name) {
        return database.handle(h -> find(h, name));
    }

    public Optional<InstanceRow> find(Handle h, String name) {
        return h.createQuery(SELECT + " WHERE name = :name").bind("name", name).map(InstanceStore::row).findOne();
    }

    /** Every instance, oldest first. */
    public List<InstanceRow> all() {
        return database.handle(h -> h.createQuery(SELECT + " ORDER BY created_at, name").map(InstanceStore::row).list());
    }

    private int update(String sql, String name) {
        return database.transaction(h -> h.createUpdate(sql).bind("name", name).execute());
    }

    private static InstanceRow row(ResultSet r, StatementContext context) throws SQLException {
        return new InstanceRow(r.getString("name"), r.getString("pool_id"), r.getString("project_id"), r.getString("snapshot_id"),
                r.getString("state"), r.getBoolean("ready"), r.getString("address"), r.getString("environment_id"),
                Database.instant(r, "created_at"), Database.instant(r, "ready_at"), r.getBoolean("stopped"), r.getString("spec_fingerprint"));
    }
}
