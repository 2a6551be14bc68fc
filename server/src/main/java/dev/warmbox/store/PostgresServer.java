package dev.warmbox.store;

import dev.warmbox.config.DatabaseSettings;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.util.PSQLException;

/**
 * A PostgreSQL database that several servers share. Write transactions are SERIALIZABLE: PostgreSQL then
 * guarantees what SQLite's single writer gives for free (every transaction as if it ran alone: a claim
 * never takes an instance another took, a count checked against a cap stays true until the insert), and
 * a transaction that lost a race fails with a serialization failure that {@link Database} runs again.
 */
final class PostgresServer implements Backend {
    /** Claims of several servers run side by side here, unlike SQLite's single writer. */
    private static final int POOL_SIZE = 10;
    private static final int CONNECT_TIMEOUT_SECONDS = 10;
    /** pg_advisory_lock key of the migrations: the first 8 bytes of "warmbox-migrate" as a number; any constant no one else uses. */
    static final long MIGRATION_LOCK = 0x7761726d_626f784dL;

    private final DatabaseSettings.Postgres settings;

    PostgresServer(DatabaseSettings.Postgres settings) {
        this.settings = settings;
    }

    @Override
    public void checkUsable() {}

    @Override
    public DataSource dataSource() {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(settings.jdbcUrl());
        source.setUser(settings.user());
        settings.password().ifPresent(source::setPassword);
        source.setApplicationName("warmbox");
        // A peer gone without a word (a host lost, not a process killed) is noticed by the keepalive, which ends
        // its session and so releases what it held, such as the reconciler's leadership.
        source.setTcpKeepAlive(true);
        if (!settings.jdbcUrl().contains("connectTimeout=")) source.setConnectTimeout(CONNECT_TIMEOUT_SECONDS);
        return source;
    }

    @Override
    public int poolSize() {
        return POOL_SIZE;
    }

    @Override
    public String where() {
        return "the PostgreSQL database " + settings.address() + " (" + DatabaseSettings.URL + ")";
    }

    @Override
    public String begin() {
        return "BEGIN ISOLATION LEVEL SERIALIZABLE";
    }

    /** 40001: serialization failure; 40P01: deadlock detected. Both roll the whole transaction back and ask for it again. */
    @Override
    public boolean lostRace(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && ("40001".equals(sql.getSQLState()) || "40P01".equals(sql.getSQLState()))) return true;
        }
        return false;
    }

    @Override
    public void lockMigrations(Connection connection) throws SQLException {
        advisory(connection, "SELECT pg_advisory_lock(?)");
    }

    @Override
    public void unlockMigrations(Connection connection) throws SQLException {
        advisory(connection, "SELECT pg_advisory_unlock(?)");
    }

    private static void advisory(Connection connection, String sql) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(sql)) {
            lock.setLong(1, MIGRATION_LOCK);
            lock.execute();
        }
    }

    @Override
    public Dialect dialect() {
        return Dialect.POSTGRESQL;
    }

    @Override
    public String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) return "the host is not known";
            if (t instanceof ConnectException) return "nothing answers there (is PostgreSQL running, and listening on that address?)";
            if (t instanceof PSQLException psql && psql.getSQLState() != null) {
                String known = reason(psql);
                if (known != null) return known;
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PSQLException psql) {
                return psql.getServerErrorMessage() != null ? psql.getServerErrorMessage().getMessage() : String.valueOf(psql.getMessage());
            }
        }
        return String.valueOf(failure.getMessage());
    }

    private String reason(PSQLException e) {
        return switch (e.getSQLState()) {
            case "28P01" -> "the password of user " + settings.user() + " was refused";
            case "28000" -> "the server refused user " + settings.user() + " (pg_hba.conf, or no such role)";
            case "3D000" -> "the database does not exist (create it first: createdb)";
            case "42501" -> "user " + settings.user() + " lacks a privilege: " + serverMessage(e);
            case "53300" -> "the server has no connection left (max_connections)";
            case "57P03" -> "the server is starting up or shutting down";
            case "08001", "08004", "08006" -> "the connection failed: " + serverMessage(e);
            default -> null;
        };
    }

    private static String serverMessage(PSQLException e) {
        return e.getServerErrorMessage() != null ? e.getServerErrorMessage().getMessage() : String.valueOf(e.getMessage());
    }
}
