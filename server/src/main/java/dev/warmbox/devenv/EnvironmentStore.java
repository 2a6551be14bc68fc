package dev.warmbox.devenv;

import dev.warmbox.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Instances and environments, and the claim that joins them. Every hand-out happens inside one
 * {@code BEGIN IMMEDIATE} transaction, which SQLite serialises across connections and processes, so an
 * instance is never handed out twice and the pool's capacity is never overrun.
 */
final class EnvironmentStore {
    private static final String INSTANCE = "name, pool_id, project_id, snapshot_id, state, ready, address, environment_id, created_at, ready_at, stopped, spec_fingerprint";
    private static final String ENVIRONMENT = "id, owner_key_id, project_id, environment_class_id, pool_id, instance_name, warm, phase, "
            + "failure_message, created_at, ready_at, updated_at";

    private final Database database;

    EnvironmentStore(Database database) {
        this.database = database;
    }

    /** What a claim produced: the environment, its instance, and whether that instance had finished warming up. */
    record Claim(EnvironmentRecord environment, InstanceRow instance, boolean instanceReady) {}

    /**
     * Hands the environment a warm instance of the pool: a running one (ready first, then one still
     * warming up), else a stopped one (the caller starts it); else a new instance to be launched cold,
     * unless the pool's {@code maxInstances} is reached. Instances being stopped or started are skipped.
     */
    Claim claim(EnvironmentRecord environment, String poolId, String coldSnapshotId, String newInstanceName, String now) {
        return database.inTransaction(c -> {
            if (poolId != null) {
                Optional<InstanceRow> warm = oneInstance(c, "SELECT " + INSTANCE + " FROM devenv_instances WHERE pool_id = ? "
                        + "AND state IN ('WARM', 'STARTING') AND NOT (stopped = 1 AND ready = 0) ORDER BY stopped, ready DESC, created_at LIMIT 1", poolId);
                if (warm.isPresent()) {
                    Database.update(c, "UPDATE devenv_instances SET state = 'CLAIMED', environment_id = ? WHERE name = ?", environment.id(), warm.get().name());
                    boolean running = warm.get().ready() && !warm.get().stopped();
                    EnvironmentRecord claimed = with(environment, warm.get().name(), true, running ? EnvironmentRecord.STARTING : EnvironmentRecord.CREATING);
                    insert(c, claimed);
                    return new Claim(claimed, instance(c, warm.get().name()).orElseThrow(), running);
                }
                refuseBeyondCapacity(c, poolId);
            }
            InstanceRow cold = new InstanceRow(newInstanceName, poolId, environment.projectId(), coldSnapshotId, InstanceRow.CLAIMED,
                    false, null, environment.id(), now, null, false, null);
            insertInstance(c, cold);
            EnvironmentRecord created = with(environment, cold.name(), false, EnvironmentRecord.CREATING);
            insert(c, created);
            return new Claim(created, cold, false);
        });
    }

    private static void refuseBeyondCapacity(Connection c, String poolId) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT p.max_instances, (SELECT count(*) FROM devenv_instances i WHERE i.pool_id = p.id) "
                + "FROM warm_pools p WHERE p.id = ?")) {
            select.setString(1, poolId);
            try (ResultSet r = select.executeQuery()) {
                if (!r.next()) return;
                int cap = r.getInt(1);
                if (!r.wasNull() && r.getInt(2) >= cap) {
                    throw new DevEnvException(DevEnvException.Kind.CAPACITY, "capacity_exhausted", "the warm pool " + poolId + " is at its maxInstances ("
                            + cap + " warm plus claimed instances) and has no warm instance free; try again when an environment is deleted");
                }
            }
        }
    }

    private static EnvironmentRecord with(EnvironmentRecord e, String instanceName, boolean warm, String phase) {
        return new EnvironmentRecord(e.id(), e.ownerKeyId(), e.projectId(), e.environmentClassId(), e.poolId(), instanceName, warm, phase,
                null, e.createdAt(), null, e.updatedAt());
    }

    /** A pool instance about to be launched by the reconciler. */
    void insertInstance(InstanceRow row) {
        database.inTransaction(c -> {
            insertInstance(c, row);
            return null;
        });
    }

    /**
     * The instance finished warming up. Returns its state at that moment: CLAIMED means a claim took it
     * while it warmed and the caller must now personalize it; the claim could not, as it was not ready.
     */
    Optional<InstanceRow> markReady(String name, String address, String now) {
        return database.inTransaction(c -> {
            Database.update(c, "UPDATE devenv_instances SET ready = 1, ready_at = ?, address = coalesce(?, address), "
                    + "state = CASE state WHEN 'STARTING' THEN 'WARM' WHEN 'RESETTING' THEN 'WARM' ELSE state END WHERE name = ?", now, address, name);
            return instance(c, name);
        });
    }

    /** Takes a ready, running warm instance out of the claimable set to stop it; false if a claim was first. */
    boolean beginStop(String name) {
        return database.inTransaction(c -> Database.update(c, "UPDATE devenv_instances SET stopped = 1, ready = 0 WHERE name = ? AND state = 'WARM' "
                + "AND ready = 1 AND stopped = 0", name)) > 0;
    }

    /** Its container stopped: claimable again, as a stopped instance. */
    void finishStop(String name) {
        database.inTransaction(c -> Database.update(c, "UPDATE devenv_instances SET ready = 1 WHERE name = ? AND stopped = 1", name));
    }

    /** Takes a stopped warm instance out of the claimable set to start it; false if a claim was first. */
    boolean beginStart(String name) {
        return database.inTransaction(c -> Database.update(c, "UPDATE devenv_instances SET ready = 0 WHERE name = ? AND state = 'WARM' "
                + "AND ready = 1 AND stopped = 1", name)) > 0;
    }

    /** Its container runs again at {@code address}; ready (a claimed one is personalized next). */
    Optional<InstanceRow> finishStart(String name, String address) {
        return database.inTransaction(c -> {
            Database.update(c, "UPDATE devenv_instances SET stopped = 0, ready = 1, address = ? WHERE name = ?", address, name);
            return instance(c, name);
        });
    }

    void setAddress(String name, String address) {
        database.inTransaction(c -> Database.update(c, "UPDATE devenv_instances SET address = ? WHERE name = ?", address, name));
    }

    /** Released by its environment: back to warming up (reset), and no longer anyone's. */
    void beginReset(String name) {
        database.inTransaction(c -> Database.update(c, "UPDATE devenv_instances SET state = 'RESETTING', ready = 0, environment_id = NULL WHERE name = ?", name));
    }

    /**
     * Takes an unclaimed instance out of the pool before it is removed, so no claim can take it in
     * between; false if a claim was first (then it is the environment's, not the pool's, to remove).
     */
    boolean retire(String name) {
        return database.inTransaction(c -> {
            if (instance(c, name).isEmpty()) return true;
            return Database.update(c, "UPDATE devenv_instances SET state = 'RESETTING', ready = 0 WHERE name = ? AND state != 'CLAIMED'", name) > 0;
        });
    }

    void deleteInstance(String name) {
        database.inTransaction(c -> Database.update(c, "DELETE FROM devenv_instances WHERE name = ?", name));
    }

    Optional<InstanceRow> instance(String name) {
        return database.withConnection(c -> instance(c, name));
    }

    List<InstanceRow> instances() {
        return database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + INSTANCE + " FROM devenv_instances ORDER BY created_at, name")) {
                return instances(select);
            }
        });
    }

    void setPhase(String environmentId, String phase, String failureMessage, String readyAt, String now) {
        database.inTransaction(c -> Database.update(c, "UPDATE environments SET phase = ?, failure_message = ?, ready_at = coalesce(?, ready_at), "
                + "updated_at = ? WHERE id = ?", phase, failureMessage, readyAt, now, environmentId));
    }

    /** Moves the environment to {@code to} only if it is in {@code from}; false if it was not. */
    boolean transition(String environmentId, String from, String to, String now) {
        return database.inTransaction(c -> Database.update(c, "UPDATE environments SET phase = ?, updated_at = ? WHERE id = ? AND phase = ?",
                to, now, environmentId, from)) > 0;
    }

    /** Only the hash of an environment's access token is stored; the token itself is answered once, at the claim. */
    void setAccessTokenHash(String environmentId, String hash) {
        database.inTransaction(c -> Database.update(c, "UPDATE environments SET access_token_hash = ? WHERE id = ?", hash, environmentId));
    }

    /** Access-token hashes of every environment not deleted, to fill the router's cache at start. */
    java.util.Map<String, String> accessTokenHashes() {
        return database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT id, access_token_hash FROM environments "
                    + "WHERE phase != 'ENVIRONMENT_PHASE_DELETED' AND access_token_hash IS NOT NULL");
                    ResultSet r = select.executeQuery()) {
                java.util.Map<String, String> hashes = new java.util.HashMap<>();
                while (r.next()) hashes.put(r.getString(1), r.getString(2));
                return hashes;
            }
        });
    }

    Optional<EnvironmentRecord> environment(String id) {
        return database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + ENVIRONMENT + " FROM environments WHERE id = ?")) {
                select.setString(1, id);
                List<EnvironmentRecord> found = environments(select);
                return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
            }
        });
    }

    /**
     * The times of every claim (warm or cold) made on each pool since {@code since}, deleted
     * environments included: the demand the autoscaler follows, observed from rows, so a restart sees
     * the same.
     */
    java.util.Map<String, List<java.time.Instant>> claimTimes(java.time.Instant since) {
        return database.withConnection(c -> {
            // Instant strings compare correctly except within one second (fractions); a second's margin, then exact in Java.
            try (PreparedStatement select = c.prepareStatement("SELECT pool_id, created_at FROM environments WHERE pool_id IS NOT NULL AND created_at >= ?")) {
                select.setString(1, since.minusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
                java.util.Map<String, List<java.time.Instant>> claims = new java.util.HashMap<>();
                try (ResultSet r = select.executeQuery()) {
                    while (r.next()) {
                        java.time.Instant at = java.time.Instant.parse(r.getString(2));
                        if (!at.isBefore(since)) claims.computeIfAbsent(r.getString(1), k -> new ArrayList<>()).add(at);
                    }
                }
                return claims;
            }
        });
    }

    /** Environments not deleted; of one owner, or everyone's when ownerKeyId is null. */
    List<EnvironmentRecord> environments(String ownerKeyId) {
        return database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT " + ENVIRONMENT + " FROM environments WHERE phase != 'ENVIRONMENT_PHASE_DELETED' "
                    + "AND (? IS NULL OR owner_key_id = ?) ORDER BY created_at, id")) {
                select.setString(1, ownerKeyId);
                select.setString(2, ownerKeyId);
                return environments(select);
            }
        });
    }

    private static void insert(Connection c, EnvironmentRecord e) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO environments (" + ENVIRONMENT + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, e.id());
            insert.setString(2, e.ownerKeyId());
            insert.setString(3, e.projectId());
            insert.setString(4, e.environmentClassId());
            insert.setString(5, e.poolId());
            insert.setString(6, e.instanceName());
            insert.setBoolean(7, e.warm());
            insert.setString(8, e.phase());
            insert.setString(9, e.failureMessage());
            insert.setString(10, e.createdAt());
            insert.setString(11, e.readyAt());
            insert.setString(12, e.updatedAt());
            insert.executeUpdate();
        }
    }

    private static void insertInstance(Connection c, InstanceRow i) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO devenv_instances (" + INSTANCE + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, i.name());
            insert.setString(2, i.poolId());
            insert.setString(3, i.projectId());
            insert.setString(4, i.snapshotId());
            insert.setString(5, i.state());
            insert.setBoolean(6, i.ready());
            insert.setString(7, i.address());
            insert.setString(8, i.environmentId());
            insert.setString(9, i.createdAt());
            insert.setString(10, i.readyAt());
            insert.setBoolean(11, i.stopped());
            insert.setString(12, i.fingerprint());
            insert.executeUpdate();
        }
    }

    private static Optional<InstanceRow> instance(Connection c, String name) throws SQLException {
        return oneInstance(c, "SELECT " + INSTANCE + " FROM devenv_instances WHERE name = ?", name);
    }

    private static Optional<InstanceRow> oneInstance(Connection c, String sql, String parameter) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(sql)) {
            select.setString(1, parameter);
            List<InstanceRow> found = instances(select);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
        }
    }

    private static List<InstanceRow> instances(PreparedStatement select) throws SQLException {
        try (ResultSet r = select.executeQuery()) {
            List<InstanceRow> rows = new ArrayList<>();
            while (r.next()) {
                rows.add(new InstanceRow(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getBoolean(6),
                        r.getString(7), r.getString(8), r.getString(9), r.getString(10), r.getBoolean(11), r.getString(12)));
            }
            return rows;
        }
    }

    private static List<EnvironmentRecord> environments(PreparedStatement select) throws SQLException {
        try (ResultSet r = select.executeQuery()) {
            List<EnvironmentRecord> rows = new ArrayList<>();
            while (r.next()) {
                rows.add(new EnvironmentRecord(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getString(6),
                        r.getBoolean(7), r.getString(8), r.getString(9), r.getString(10), r.getString(11), r.getString(12)));
            }
            return rows;
        }
    }
}
