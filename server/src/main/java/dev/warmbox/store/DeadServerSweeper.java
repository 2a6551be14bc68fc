package dev.warmbox.store;

import dev.warmbox.config.ServerSettings;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a server sharing the database dies, another removes its execution sandboxes. Every server reads the
 * {@code servers} rows each heartbeat interval on {@code warmbox-dead-server-sweep} and notes whose beat stopped
 * ({@link DeadServers}); one server at a time (a {@link Leadership} of its own) sweeps each dead one: it takes
 * the dead server's instance id (refused while that server's session lives, and keeping a restart under that id
 * waiting meanwhile), removes what is left of its sandboxes, then deletes its row. A removal that fails keeps
 * the row, and the next round tries again. Runs only where servers share a database (PostgreSQL): a SQLite
 * file has one server, whose own leftovers its start-up removes.
 */
public final class DeadServerSweeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeadServerSweeper.class);

    /** Removes what a dead server left of its execution sandboxes; true when nothing is left. Never throws. */
    @FunctionalInterface
    public interface Remains {
        boolean removeSandboxesOf(String instanceId);
    }

    private final Database database;
    private final ServerRegistry registry;
    private final ServerSettings settings;
    private final Remains remains;
    private final Clock clock;
    private final DeadServers dead;
    private final Leadership leadership;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("warmbox-dead-server-sweep").daemon(true).unstarted(r));

    public DeadServerSweeper(Database database, ServerRegistry registry, ServerSettings settings, Remains remains, Clock clock) {
        this.database = database;
        this.registry = registry;
        this.settings = settings;
        this.remains = remains;
        this.clock = clock;
        this.dead = new DeadServers(settings.deadAfter());
        this.leadership = database.leadership("the dead-server sweep");
    }

    /** Starts the rounds where servers share the database; on SQLite does nothing. */
    public void start() {
        if (!database.shared()) return;
        long every = settings.heartbeatInterval().toMillis();
        thread.scheduleWithFixedDelay(this::safeRound, every, every, TimeUnit.MILLISECONDS);
    }

    private void safeRound() {
        try {
            round();
        } catch (RuntimeException e) {
            // Rows read after an outage may all be stale only because nobody could beat meanwhile.
            dead.forgetSightings();
            log.warn("looking for dead servers failed; the next round starts over: {}", e.getMessage());
        }
    }

    /** Notes which servers stopped beating and, while this server leads the sweep, sweeps them. Package-private for tests. */
    void round() {
        List<ServerRegistry.Server> others = registry.servers().stream()
                .filter(s -> !s.instanceId().equals(registry.instanceId())).toList();
        List<ServerRegistry.Server> gone = dead.observe(others, clock.instant());
        if (gone.isEmpty() || !leadership.leading()) return;
        gone.forEach(this::sweep);
    }

    private void sweep(ServerRegistry.Server server) {
        try (Leadership id = ServerRegistry.holderOf(database, server.instanceId())) {
            if (!id.leading()) {
                log.debug("server {} stopped beating but its database session still holds its instance id; not swept yet", server.instanceId());
                return;
            }
            log.info("server {} (host {}) has not beaten for {} s (WARMBOX_SERVER_DEAD_AFTER), last at {}: removing its sandboxes",
                    server.instanceId(), server.host(), settings.deadAfter().toSeconds(), server.lastSeen());
            if (!remains.removeSandboxesOf(server.instanceId())) {
                log.warn("some sandboxes of dead server {} could not be removed; the next round tries again", server.instanceId());
                return;
            }
            if (registry.forget(server)) log.info("dead server {} swept: its sandboxes and its row are gone", server.instanceId());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) log.warn("the dead-server sweep did not stop within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        leadership.close();
    }
}
