package dev.warmbox.devenv.claims;

import dev.warmbox.devenv.instances.InstanceRow;
import dev.warmbox.devenv.instances.InstanceStore;
import dev.warmbox.devenv.pools.ClaimHistory;
import dev.warmbox.devenv.requests.DevEnvException;
import dev.warmbox.store.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The environments table, and the claim that joins an environment to an instance. Every hand-out happens inside one
 * write transaction, which SQLite serialises across connections and processes (BEGIN IMMEDIATE) and PostgreSQL
 * across servers (SERIALIZABLE, the loser of a race run again by Database), so an instance is never handed out twice and the pool's capacity is never overrun. Statements bind by name
 * and rows are read by column name; times are epoch milliseconds, so they sort as times.
 */
public final class EnvironmentStore implements ClaimHistory {
    private static final String ENVIRONMENTS = "SELECT * FROM environments";

    private final Database database;
    private final InstanceStore instances;

    public EnvironmentStore(Database database, InstanceStore instances) {
        this.database = database;
        this.instances = instances;
    }

    /** What a claim produced: the environment, its instance, and whether that instance had finished warming up. */
    record Claim(EnvironmentRecord environment, InstanceRow instance, boolean instanceReady) {}

    /**
     * Hands the environment a warm instance of the pool: a running one (ready first, then one still
     * warming up, oldest first), else a stopped one (the caller starts it); else a new instance to be
     * launched cold, unless the pool's {@code maxInstances} is reached. Instances being stopped or
     * started are skipped.
     */
    Claim claim(EnvironmentRecord environment, String poolId, String coldSnapshotId, String newInstanceName, Instant now) {
        return database.transaction(h -> {
            if (poolId != null) {
                Optional<InstanceRow> warm = instances.claimable(h, poolId);
                if (warm.isPresent()) {
                    instances.markClaimed(h, warm.get().name(), environment.id());
                    boolean running = warm.get().ready() && !warm.get().stopped();
                    EnvironmentRecord claimed = with(environment, warm.get().name(), true, running ? EnvironmentRecord.STARTING : EnvironmentRecord.CREATING);
                    insert(h, claimed);
                    return new Claim(claimed, instances.find(h, warm.get().name()).orElseThrow(), running);
                }
                refuseBeyondCapacity(h, poolId);
            }
            InstanceRow cold = new InstanceRow(newInstanceName, poolId, environment.projectId(), coldSnapshotId, InstanceRow.CLAIMED,
                    false, null, environment.id(), now, null, false, null);
            instances.insert(h, cold);
            EnvironmentRecord created = with(environment, cold.name(), false, EnvironmentRecord.CREATING);
            insert(h, created);
            return new Claim(created, cold, false);
        });
    }

    private static void refuseBeyondCapacity(Handle h, String poolId) {
        record Capacity(Integer cap, int instances) {}
        Optional<Capacity> capacity = h.createQuery("SELECT p.max_instances, (SELECT count(*) FROM devenv_instances i WHERE i.pool_id = p.id) "
                        + "FROM warm_pools p WHERE p.id = :pool").bind("pool", poolId)
                .map((r, c) -> {
                    int cap = r.getInt(1);
                    return new Capacity(r.wasNull() ? null : cap, r.getInt(2));
                }).findOne();
        if (capacity.isPresent() && capacity.get().cap() != null && capacity.get().instances() >= capacity.get().cap()) {
            throw new DevEnvException(DevEnvException.Kind.CAPACITY, "capacity_exhausted", "the warm pool " + poolId + " is at its maxInstances ("
                    + capacity.get().cap() + " warm plus claimed instances) and has no warm instance free; try again when an environment is deleted");
        }
    }

    private static EnvironmentRecord with(EnvironmentRecord e, String instanceName, boolean warm, String phase) {
        return new EnvironmentRecord(e.id(), e.ownerKeyId(), e.projectId(), e.environmentClassId(), e.poolId(), instanceName, warm, phase,
                null, e.createdAt(), null, e.updatedAt());
    }

    void setPhase(String environmentId, String phase, String failureMessage, Instant readyAt, Instant now) {
        database.transaction(h -> h.createUpdate("UPDATE environments SET phase = :phase, failure_message = :message, "
                        + "ready_at = coalesce(:readyAt, ready_at), updated_at = :now WHERE id = :id")
                .bind("phase", phase).bind("message", failureMessage).bind("readyAt", readyAt).bind("now", now).bind("id", environmentId)
                .execute());
    }

    /** Moves the environment to {@code to} only if it is in {@code from}; false if it was not. */
    boolean transition(String environmentId, String from, String to, Instant now) {
        return database.transaction(h -> h.createUpdate("UPDATE environments SET phase = :to, updated_at = :now WHERE id = :id AND phase = :from")
                .bind("to", to).bind("now", now).bind("id", environmentId).bind("from", from).execute()) > 0;
    }

    /** Only the hash of an environment's access token is stored; the token itself is answered once, at the claim. */
    void setAccessTokenHash(String environmentId, String hash) {
        database.transaction(h -> h.createUpdate("UPDATE environments SET access_token_hash = :hash WHERE id = :id")
                .bind("hash", hash).bind("id", environmentId).execute());
    }

    /** Access-token hashes of every environment not deleted, to fill the router's cache at start. */
    Map<String, String> accessTokenHashes() {
        return database.handle(h -> {
            Map<String, String> hashes = new HashMap<>();
            h.createQuery("SELECT id, access_token_hash FROM environments WHERE phase != 'ENVIRONMENT_PHASE_DELETED' AND access_token_hash IS NOT NULL")
                    .map((r, c) -> Map.entry(r.getString("id"), r.getString("access_token_hash"))).forEach(e -> hashes.put(e.getKey(), e.getValue()));
            return hashes;
        });
    }

    Optional<EnvironmentRecord> environment(String id) {
        return database.handle(h -> h.createQuery(ENVIRONMENTS + " WHERE id = :id").bind("id", id).map(EnvironmentStore::environment).findOne());
    }

    /**
     * The times of every claim (warm or cold) made on each pool since {@code since}, deleted
     * environments included: the demand the autoscaler follows, observed from rows, so a restart sees
     * the same.
     */
    @Override
    public Map<String, List<Instant>> claimTimes(Instant since) {
        return database.handle(h -> {
            Map<String, List<Instant>> claims = new HashMap<>();
            h.createQuery("SELECT pool_id, created_at FROM environments WHERE pool_id IS NOT NULL AND created_at >= :since")
                    .bind("since", since)
                    .map((r, c) -> Map.entry(r.getString("pool_id"), Database.instant(r, "created_at")))
                    .forEach(e -> claims.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
            return claims;
        });
    }

    @Override
    public boolean environmentGone(String environmentId) {
        return environmentId == null || environment(environmentId).map(EnvironmentRecord::gone).orElse(true);
    }

    /** Environments not deleted, oldest first; of one owner, or everyone's when ownerKeyId is null. */
    List<EnvironmentRecord> environments(String ownerKeyId) {
        return database.handle(h -> h.createQuery(ENVIRONMENTS + " WHERE phase != 'ENVIRONMENT_PHASE_DELETED' "
                        + "AND (:owner IS NULL OR owner_key_id = :owner) ORDER BY created_at, id")
                .bind("owner", ownerKeyId).map(EnvironmentStore::environment).list());
    }

    private static void insert(Handle h, EnvironmentRecord e) {
        h.createUpdate("""
                INSERT INTO environments (id, owner_key_id, project_id, environment_class_id, pool_id, instance_name, warm, phase,
                    failure_message, created_at, ready_at, updated_at)
                VALUES (:id, :ownerKeyId, :projectId, :environmentClassId, :poolId, :instanceName, :warm, :phase,
                    :failureMessage, :createdAt, :readyAt, :updatedAt)""")
                .bind("id", e.id()).bind("ownerKeyId", e.ownerKeyId()).bind("projectId", e.projectId())
                .bind("environmentClassId", e.environmentClassId()).bind("poolId", e.poolId()).bind("instanceName", e.instanceName())
                .bind("warm", e.warm()).bind("phase", e.phase()).bind("failureMessage", e.failureMessage())
                .bind("createdAt", e.createdAt()).bind("readyAt", e.readyAt()).bind("updatedAt", e.updatedAt()).execute();
    }

    private static EnvironmentRecord environment(ResultSet r, StatementContext context) throws SQLException {
        return new EnvironmentRecord(r.getString("id"), r.getString("owner_key_id"), r.getString("project_id"), r.getString("environment_class_id"),
                r.getString("pool_id"), r.getString("instance_name"), r.getBoolean("warm"), r.getString("phase"), r.getString("failure_message"),
                Database.instant(r, "created_at"), Database.instant(r, "ready_at"), Database.instant(r, "updated_at"));
    }
}
