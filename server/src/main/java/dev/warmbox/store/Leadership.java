package dev.warmbox.store;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.zip.CRC32;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which server does a job one server at a time (the reconciler). On SQLite there is one server: it
 * always leads. On PostgreSQL the leader holds a session advisory lock (pg_try_advisory_lock) on a
 * connection of its own, outside the pool, so no pool eviction ever drops it; when the leader dies its
 * connection ends, PostgreSQL releases the lock, and the next server to ask takes it over.
 */
public final class Leadership implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Leadership.class);
    private static final int VALIDATION_SECONDS = 2;
    /**
     * The lock's session asks PostgreSQL to probe its peer after 10 s of silence, every 5 s, 3 times: a holder
     * whose host was lost without a word (no FIN, no RST) loses its session, and so the lock, in about 25 s
     * instead of the operating system's default of two hours. Any user may set these for its own session.
     */
    private static final String KEEPALIVE = "SELECT set_config('tcp_keepalives_idle', '10', false), "
            + "set_config('tcp_keepalives_interval', '5', false), set_config('tcp_keepalives_count', '3', false)";

    private final String job;
    private final DataSource source;
    private final String where;
    private final long key;
    private Connection held;

    /** @param source null on SQLite: leads always */
    Leadership(String job, DataSource source, String where) {
        this.job = job;
        this.source = source;
        this.where = where;
        CRC32 crc = new CRC32();
        crc.update(("warmbox-leader:" + job).getBytes(StandardCharsets.UTF_8));
        this.key = crc.getValue();
    }

    /**
     * Whether this server leads now: keeps the lock while its connection answers, else tries to take it.
     * Asked before each round of the job; a failure to reach the database is "not leading", never an exception.
     */
    public synchronized boolean leading() {
        if (source == null) return true;
        if (held != null) {
            if (answers(held)) return true;
            log.warn("this server no longer leads {}: its connection to {} broke", job, where);
            closeQuietly(held);
            held = null;
        }
        Connection candidate = null;
        try {
            candidate = source.getConnection();
            if (tryLock(candidate)) {
                held = candidate;
                log.info("this server leads {} now ({})", job, where);
                return true;
            }
        } catch (SQLException e) {
            log.debug("cannot ask {} who leads {}: {}", where, job, e.getMessage());
        }
        if (candidate != null) closeQuietly(candidate);
        return false;
    }

    /** A setting of the lock's session while this server leads (tests read its keepalive); empty otherwise. */
    synchronized java.util.Optional<String> heldSessionSetting(String name) throws SQLException {
        if (held == null) return java.util.Optional.empty();
        try (PreparedStatement show = held.prepareStatement("SELECT current_setting(?)")) {
            show.setString(1, name);
            try (ResultSet r = show.executeQuery()) {
                return r.next() ? java.util.Optional.of(r.getString(1)) : java.util.Optional.empty();
            }
        }
    }

    /** The advisory lock's key (tests find the holder's session by it). */
    long key() {
        return key;
    }

    private boolean tryLock(Connection connection) throws SQLException {
        try (PreparedStatement keepalive = connection.prepareStatement(KEEPALIVE)) {
            keepalive.execute();
        }
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            lock.setLong(1, key);
            try (ResultSet r = lock.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        }
    }

    private static boolean answers(Connection connection) {
        try {
            return connection.isValid(VALIDATION_SECONDS);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Gives the lead up at once (ending the connection releases the lock), so another server takes it on its next try. */
    @Override
    public synchronized void close() {
        if (held != null) {
            closeQuietly(held);
            held = null;
            log.info("this server gave up leading {}", job);
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Closing a broken connection: nothing more to release.
        }
    }
}
