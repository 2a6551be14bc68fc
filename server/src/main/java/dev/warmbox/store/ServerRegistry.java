package dev.warmbox.store;

import dev.warmbox.config.ConfigException;
import dev.warmbox.config.ServerSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The servers sharing this database, a row each in {@code servers}: instance id, host, start and the last
 * time it marked itself alive. A server registers at start-up holding its instance id (a {@link Leadership}
 * named after it: on PostgreSQL a session advisory lock, so two live servers never share an id, while a
 * killed one's session ends with it and a restart under the same id goes ahead at once), then marks itself
 * alive every heartbeat interval on {@code warmbox-server-heartbeat}. {@link DeadServerSweeper} reads the
 * rows. Closing stops the heartbeat, deletes the row and lets the id go.
 */
public final class ServerRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServerRegistry.class);
    /**
     * How long a start waits for its instance id while another session holds it: a server sweeping a dead one
     * holds the dead one's id for the few seconds its removals take, so a restart under that id waits them out.
     */
    static final Duration ID_WAIT = Duration.ofSeconds(10);

    private final Database database;
    private final String instanceId;
    private final Clock clock;
    private final Leadership id;
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("warmbox-server-heartbeat").daemon(true).unstarted(r));
    private volatile boolean failing;

    /** One row: a server that runs, or that died and was not swept yet. Times are the server's own clock. */
    public record Server(String instanceId, String host, Instant startedAt, Instant lastSeen) {}

    private ServerRegistry(Database database, String instanceId, Clock clock) {
        this.database = database;
        this.instanceId = instanceId;
        this.clock = clock;
        this.id = holderOf(database, instanceId);
    }

    /**
     * Registers this server and starts its heartbeat. Refused (a {@link ConfigException} naming
     * WARMBOX_INSTANCE_ID) while another server on the database holds the same instance id.
     */
    public static ServerRegistry register(Database database, String instanceId, ServerSettings settings, Clock clock) {
        return register(database, instanceId, settings, clock, ID_WAIT);
    }

    static ServerRegistry register(Database database, String instanceId, ServerSettings settings, Clock clock, Duration idWait) {
        ServerRegistry registry = new ServerRegistry(database, instanceId, clock);
        try {
            registry.holdId(idWait);
            registry.write(clock.instant());
            long every = settings.heartbeatInterval().toMillis();
            registry.heartbeat.scheduleWithFixedDelay(registry::safeBeat, every, every, TimeUnit.MILLISECONDS);
            return registry;
        } catch (RuntimeException e) {
            registry.heartbeat.shutdownNow();
            registry.id.close();
            throw e;
        }
    }

    /** Who holds a server's instance id: the server itself while it runs, or the server sweeping it after it died. */
    static Leadership holderOf(Database database, String instanceId) {
        return database.leadership("instance id " + instanceId);
    }

    public String instanceId() {
        return instanceId;
    }

    private void holdId(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!id.leading()) {
            if (System.nanoTime() - deadline > 0) throw new ConfigException(refusal());
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while waiting for instance id " + instanceId, e);
            }
        }
    }

    private String refusal() {
        String other = find(instanceId).map(s -> " (on host " + s.host() + ", started " + s.startedAt() + ", alive at " + s.lastSeen() + ")")
                .orElse("");
        return "another server on " + database.backend().where() + " runs with WARMBOX_INSTANCE_ID=" + instanceId + other
                + "; each server sharing a database needs its own WARMBOX_INSTANCE_ID, because a server removes the sandboxes labelled with its id";
    }

    /** Marks this server alive; false when its row was gone (the others took it for dead) and has been written again. */
    boolean beat() {
        // Strictly increasing, so that a clock that stalls or steps back still reads as alive to the others.
        int updated = database.handle(h -> h.createUpdate(
                        "UPDATE servers SET last_seen = CASE WHEN :now > last_seen THEN :now ELSE last_seen + 1 END WHERE instance_id = :id")
                .bind("now", clock.instant()).bind("id", instanceId).execute());
        if (updated == 1) return true;
        write(clock.instant());
        return false;
    }

    private void safeBeat() {
        try {
            if (!id.leading()) {
                log.error("this server no longer holds WARMBOX_INSTANCE_ID={} on {}: another server may run under the same id",
                        instanceId, database.backend().where());
            }
            if (!beat()) {
                log.warn("this server's row in the servers table was gone: the others took it for dead (no heartbeat for "
                        + "WARMBOX_SERVER_DEAD_AFTER) and may have removed its sandboxes, which the pools' health checks replace");
            }
            if (failing) log.info("heartbeats reach {} again", database.backend().where());
            failing = false;
        } catch (RuntimeException e) {
            if (!failing) log.warn("this server's heartbeat failed (retried every interval): {}", e.getMessage());
            failing = true;
        }
    }

    private void write(Instant now) {
        database.transaction(h -> h.createUpdate("""
                        INSERT INTO servers (instance_id, host, started_at, last_seen) VALUES (:id, :host, :now, :now)
                        ON CONFLICT (instance_id) DO UPDATE SET host = excluded.host, started_at = excluded.started_at,
                            last_seen = excluded.last_seen""")
                .bind("id", instanceId).bind("host", hostName()).bind("now", now).execute());
    }

    /** Every registered server, this one included, by instance id. */
    public List<Server> servers() {
        return database.handle(h -> h.createQuery("SELECT instance_id, host, started_at, last_seen FROM servers ORDER BY instance_id")
                .map((r, c) -> new Server(r.getString("instance_id"), r.getString("host"), Database.instant(r, "started_at"),
                        Database.instant(r, "last_seen")))
                .list());
    }

    Optional<Server> find(String serverId) {
        return servers().stream().filter(s -> s.instanceId().equals(serverId)).findFirst();
    }

    /** Deletes a dead server's row, unless it beat since it was read (then it lives, and keeps its row). */
    boolean forget(Server dead) {
        return database.handle(h -> h.createUpdate("DELETE FROM servers WHERE instance_id = :id AND last_seen = :lastSeen")
                .bind("id", dead.instanceId()).bind("lastSeen", dead.lastSeen()).execute()) == 1;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return Optional.ofNullable(System.getenv("HOSTNAME")).orElse("unknown");
        }
    }

    /** Stops the heartbeat, deletes this server's row (it stopped; nobody needs to sweep it) and lets its id go. */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            if (!heartbeat.awaitTermination(5, TimeUnit.SECONDS)) log.warn("the heartbeat thread did not stop within 5 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            database.handle(h -> h.createUpdate("DELETE FROM servers WHERE instance_id = :id").bind("id", instanceId).execute());
        } catch (RuntimeException e) {
            log.warn("could not delete this server's row from the servers table (the others sweep it once it is stale): {}", e.getMessage());
        }
        id.close();
    }
}
