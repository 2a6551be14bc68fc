package dev.warmbox.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.warmbox.config.DatabaseSettings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.argument.ArgumentFactory;
import java.lang.reflect.Type;
import java.util.Collection;
import java.util.function.Function;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database behind every store: the embedded SQLite file, or a PostgreSQL database that several
 * servers share ({@link DatabaseSettings}). Checked, migrated to the current schema (one set of
 * migrations for both), then served through a small HikariCP pool and Jdbi. Write transactions are
 * serial on both: SQLite's BEGIN IMMEDIATE, PostgreSQL's SERIALIZABLE with the losers of a race run again.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);
    /** How long a transaction that keeps losing races to others is tried again before it fails. */
    private static final Duration RETRY_FOR = Duration.ofSeconds(10);

    private final Backend backend;
    private final HikariDataSource pool;
    private final Jdbi jdbi;

    /** Opens (creating if needed) the SQLite file and brings its schema up to date. */
    public Database(Path file) {
        this(new DatabaseSettings.Sqlite(file));
    }

    /** Opens the configured database and brings its schema up to date. */
    public Database(DatabaseSettings settings) {
        this(settings, Migrations.ALL, Clock.systemUTC());
    }

    Database(Path file, List<Migration> migrations, Clock clock) {
        this(new DatabaseSettings.Sqlite(file), migrations, clock);
    }

    Database(DatabaseSettings settings, List<Migration> migrations, Clock clock) {
        backend = switch (settings) {
            case DatabaseSettings.Sqlite sqlite -> new SqliteFile(sqlite.file());
            case DatabaseSettings.Postgres postgres -> new PostgresServer(postgres);
        };
        backend.checkUsable();
        DataSource source = backend.dataSource();
        // Migrate on a connection of our own, so a bad database fails here with our message and no pool
        // threads were ever started.
        try (Connection connection = source.getConnection()) {
            new Migrator(migrations, clock).migrate(connection, this);
        } catch (SQLException e) {
            throw new StoreException("cannot open " + backend.where() + ": " + backend.reason(e), e);
        }
        pool = pool(source);
        jdbi = Jdbi.create(pool);
        // Times are INTEGER epoch milliseconds (migration 4): they compare and sort as times, which
        // ISO-8601 text does not ("...:00.5Z" sorts before "...:00Z").
        jdbi.registerArgument(new AbstractArgumentFactory<Instant>(Types.BIGINT) {
            @Override
            protected Argument build(Instant value, ConfigRegistry config) {
                return (position, statement, context) -> statement.setLong(position, value.toEpochMilli());
            }
        });
        // Flags are INTEGER 0/1 columns in both databases (SQLite has no boolean type, and the SQL says
        // "ready = 1"), so a boolean binds as the integer: PostgreSQL refuses a boolean for an integer column.
        jdbi.registerArgument(new FlagsAsIntegers());
        jdbi.registerColumnMapper(Instant.class, (r, column, context) -> instant(r.getLong(column), r.wasNull()));
    }

    /** A time column (epoch milliseconds) as an instant; null stays null. */
    public static Instant instant(ResultSet row, String column) throws SQLException {
        long millis = row.getLong(column);
        return instant(millis, row.wasNull());
    }

    private static Instant instant(long millis, boolean wasNull) {
        return wasNull ? null : Instant.ofEpochMilli(millis);
    }

    /** Whether this is PostgreSQL, shared by several servers (leadership is then needed), or one server's SQLite file. */
    public boolean shared() {
        return backend.dialect() == Backend.Dialect.POSTGRESQL;
    }

    /** Who does {@code job} one server at a time: on SQLite this one; on PostgreSQL the holder of its advisory lock. */
    public Leadership leadership(String job) {
        return new Leadership(job, shared() ? backend.dataSource() : null, backend.where());
    }

    Backend backend() {
        return backend;
    }

    /** Binds boolean and Boolean (null included) as INTEGER 0/1, ahead of Jdbi's own boolean binding. */
    private static final class FlagsAsIntegers implements ArgumentFactory.Preparable {
        @Override
        public Optional<Function<Object, Argument>> prepare(Type type, ConfigRegistry config) {
            if (type != boolean.class && type != Boolean.class) return Optional.empty();
            return Optional.of(value -> (position, statement, context) -> {
                if (value == null) statement.setNull(position, Types.INTEGER);
                else statement.setInt(position, (Boolean) value ? 1 : 0);
            });
        }

        @Override
        public Collection<Type> prePreparedTypes() {
            return List.of(boolean.class, Boolean.class);
        }
    }

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs work in one write transaction, committed if it returns and rolled back if it throws. On
     * PostgreSQL a transaction that lost a race with another is run again from the start, so work must
     * do nothing but database work (or what is safe to repeat).
     */
    public <T> T inTransaction(Work<T> work) {
        return withConnection(connection -> inTransaction(connection, work));
    }

    /** Runs work on a pooled connection in auto-commit mode: each statement commits on its own. */
    public <T> T withConnection(Work<T> work) {
        try (Connection connection = pool.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw new StoreException(backend.where() + " could not be used: " + backend.reason(e), e);
        }
    }

    /** Work in one write transaction on this connection: the backend's BEGIN, COMMIT or ROLLBACK, again after a lost race. */
    <T> T inTransaction(Connection connection, Work<T> work) throws SQLException {
        long deadline = System.nanoTime() + RETRY_FOR.toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                return once(connection, work);
            } catch (SQLException | RuntimeException e) {
                if (!backend.lostRace(e) || System.nanoTime() > deadline) throw e;
                backOff(attempt, e);
            }
        }
    }

    private <T> T once(Connection connection, Work<T> work) throws SQLException {
        execute(connection, backend.begin());
        T result;
        try {
            result = work.run(connection);
            execute(connection, "COMMIT");
        } catch (SQLException | RuntimeException e) {
            try {
                execute(connection, "ROLLBACK");
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        }
        return result;
    }

    /** A short random pause, longer with each attempt, so the transactions that collided do not collide again at once. */
    private static void backOff(int attempt, Exception lost) {
        log.debug("transaction lost a race (attempt {}), running it again: {}", attempt, lost.getMessage());
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, 2L + Math.min(50, 5L * attempt)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while retrying a transaction", e);
        }
    }

    /**
     * Runs work on a Jdbi handle in one write transaction, taken as {@link #inTransaction} takes it,
     * committed if it returns and rolled back if it throws (and, on PostgreSQL, run again after a lost
     * race). Statements bind by name.
     */
    public <T> T transaction(HandleCallback<T, RuntimeException> work) {
        return handle(h -> {
            try {
                return inTransaction(h.getConnection(), c -> work.withHandle(h));
            } catch (SQLException e) {
                throw new StoreException(backend.where() + " could not be used: " + backend.reason(e), e);
            }
        });
    }

    /** Runs work on a Jdbi handle in auto-commit mode: each statement commits on its own. */
    public <T> T handle(HandleCallback<T, RuntimeException> work) {
        try {
            return jdbi.withHandle(work);
        } catch (JdbiException e) {
            throw new StoreException(backend.where() + " could not be used: " + backend.reason(e), e);
        }
    }

    /** One parameterized INSERT, UPDATE or DELETE; returns the number of rows it changed. */
    public static int update(Connection connection, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) update.setObject(i + 1, parameters[i]);
            return update.executeUpdate();
        }
    }

    static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    private HikariDataSource pool(DataSource source) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("warmbox-db");
        config.setDataSource(source);
        config.setMaximumPoolSize(backend.poolSize());
        config.setConnectionTimeout(SqliteFile.BUSY_TIMEOUT_MS * 2L);
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot open " + backend.where() + ": " + backend.reason(e), e);
        }
    }
}
