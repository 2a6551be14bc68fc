package dev.warmbox.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The SQLite file behind every store: checked for being writable, migrated to the current schema,
 * then served through a small pool. Every connection has WAL journaling, a busy timeout and foreign
 * keys on, because SQLite sets those per connection, not per file.
 */
public final class Database implements AutoCloseable {
    private static final int POOL_SIZE = 4;
    private static final int BUSY_TIMEOUT_MS = 5_000;

    private final Path file;
    private final HikariDataSource pool;
    private final Jdbi jdbi;

    /** Opens (creating if needed) the database file and brings its schema up to date. */
    public Database(Path file) {
        this(file, Migrations.ALL, Clock.systemUTC());
    }

    Database(Path file, List<Migration> migrations, Clock clock) {
        this.file = file.toAbsolutePath();
        checkUsable();
        SQLiteDataSource sqlite = sqlite();
        // Migrate on a connection of our own, so a bad file fails here with our message and no pool
        // threads were ever started.
        try (Connection connection = sqlite.getConnection()) {
            new Migrator(migrations, clock).migrate(connection, this.file);
        } catch (SQLException e) {
            throw new StoreException("cannot open the database file " + this.file + ": " + reason(e), e);
        }
        pool = pool(sqlite);
        jdbi = Jdbi.create(pool);
        // Times are INTEGER epoch milliseconds (migration 4): they compare and sort as times, which
        // ISO-8601 text does not ("...:00.5Z" sorts before "...:00Z").
        jdbi.registerArgument(new AbstractArgumentFactory<Instant>(Types.BIGINT) {
            @Override
            protected Argument build(Instant value, ConfigRegistry config) {
                return (position, statement, context) -> statement.setLong(position, value.toEpochMilli());
            }
        });
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

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs work in one write transaction, committed if it returns and rolled back if it throws. */
    public <T> T inTransaction(Work<T> work) {
        return withConnection(connection -> inTransaction(connection, work));
    }

    /** Runs work on a pooled connection in auto-commit mode: each statement commits on its own. */
    public <T> T withConnection(Work<T> work) {
        try (Connection connection = pool.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw new StoreException("the database file " + file + " could not be used: " + reason(e), e);
        }
    }

    /**
     * BEGIN IMMEDIATE takes the write lock up front, so a transaction that reads before it writes
     * waits for the busy timeout instead of failing when another connection wrote in between. It is
     * plain SQL rather than setAutoCommit(false), which in sqlite-jdbc opens the next transaction
     * right after each commit and would hold the write lock while the connection sits in the pool.
     */
    static <T> T inTransaction(Connection connection, Work<T> work) throws SQLException {
        execute(connection, "BEGIN IMMEDIATE");
        T result;
        try {
            result = work.run(connection);
        } catch (SQLException | RuntimeException e) {
            try {
                execute(connection, "ROLLBACK");
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        }
        execute(connection, "COMMIT");
        return result;
    }

    /**
     * Runs work on a Jdbi handle in one write transaction, taken as {@link #inTransaction} takes it
     * (BEGIN IMMEDIATE), committed if it returns and rolled back if it throws. Statements bind by name.
     */
    public <T> T transaction(HandleCallback<T, RuntimeException> work) {
        return handle(h -> {
            h.execute("BEGIN IMMEDIATE");
            T result;
            try {
                result = work.withHandle(h);
            } catch (RuntimeException e) {
                try {
                    h.execute("ROLLBACK");
                } catch (RuntimeException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
            h.execute("COMMIT");
            return result;
        });
    }

    /** Runs work on a Jdbi handle in auto-commit mode: each statement commits on its own. */
    public <T> T handle(HandleCallback<T, RuntimeException> work) {
        try {
            return jdbi.withHandle(work);
        } catch (JdbiException e) {
            throw new StoreException("the database file " + file + " could not be used: " + reason(e), e);
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

    /** Fails with a plain sentence for the mistakes operators make: a directory, a read-only place. */
    private void checkUsable() {
        if (Files.isDirectory(file)) {
            throw new StoreException("the database path " + file + " is a directory; it must name a file, such as "
                    + file.resolve("warmbox.db"));
        }
        Path directory = file.getParent();
        Path existing = directory;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing != null && !Files.isDirectory(existing)) {
            throw new StoreException("cannot create the directory " + directory + " for the database file " + file
                    + ": " + existing + " is a file, not a directory");
        }
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new StoreException("cannot create the directory " + directory + " for the database file " + file
                    + ": " + reason(e), e);
        }
        // WAL mode writes two files next to the database, so the directory must be writable too.
        if (!Files.isWritable(directory)) {
            throw new StoreException("the directory " + directory + " is not writable; warmbox keeps its database file "
                    + file.getFileName() + " and two journal files there");
        }
        if (Files.exists(file) && !Files.isWritable(file)) {
            throw new StoreException("the database file " + file + " is read-only; warmbox needs to write to it");
        }
    }

    private SQLiteDataSource sqlite() {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        config.enforceForeignKeys(true);
        SQLiteDataSource sqlite = new SQLiteDataSource(config);
        sqlite.setUrl("jdbc:sqlite:" + file);
        return sqlite;
    }

    private HikariDataSource pool(SQLiteDataSource sqlite) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("warmbox-db");
        config.setDataSource(sqlite);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setConnectionTimeout(BUSY_TIMEOUT_MS * 2L);
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException("cannot open the database file " + file + ": " + reason(e), e);
        }
    }

    /** What went wrong, in words for an operator rather than SQLite result codes. */
    static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException sqlite) return reason(sqlite.getResultCode(), sqlite);
            if (t instanceof AccessDeniedException) return "permission denied";
            if (t instanceof FileSystemException fs && fs.getReason() != null) {
                return fs.getFile() + ": " + fs.getReason().toLowerCase(Locale.ROOT);
            }
        }
        return String.valueOf(failure.getMessage());
    }

    private static String reason(SQLiteErrorCode code, SQLiteException e) {
        String name = code.name();
        if (name.startsWith("SQLITE_READONLY")) return "it, or its directory, is read-only";
        if (name.startsWith("SQLITE_CANTOPEN")) return "the file cannot be opened or created";
        if (name.startsWith("SQLITE_PERM") || name.startsWith("SQLITE_AUTH")) return "permission denied";
        if (name.startsWith("SQLITE_NOTADB")) return "the file is not a SQLite database";
        if (name.startsWith("SQLITE_CORRUPT")) return "the file is damaged";
        if (name.startsWith("SQLITE_FULL")) return "the disk is full";
        if (name.startsWith("SQLITE_BUSY") || name.startsWith("SQLITE_LOCKED")) {
            return "another process kept it locked for longer than " + BUSY_TIMEOUT_MS / 1000 + " seconds";
        }
        if (name.startsWith("SQLITE_IOERR")) return "reading or writing the file failed";
        return e.getMessage();
    }
}
