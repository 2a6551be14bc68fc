package dev.warmbox.store;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Locale;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The embedded database: one server's SQLite file. Every connection has WAL journaling, a busy timeout
 * and foreign keys on, because SQLite sets those per connection, not per file. SQLite serialises every
 * write transaction across connections and processes, so nothing here ever loses a race.
 */
final class SqliteFile implements Backend {
    private static final int POOL_SIZE = 4;
    static final int BUSY_TIMEOUT_MS = 5_000;

    private final Path file;

    SqliteFile(Path file) {
        this.file = file.toAbsolutePath();
    }

    @Override
    public String where() {
        return "the database file " + file;
    }

    @Override
    public int poolSize() {
        return POOL_SIZE;
    }

    /**
     * BEGIN IMMEDIATE takes the write lock up front, so a transaction that reads before it writes
     * waits for the busy timeout instead of failing when another connection wrote in between. It is
     * plain SQL rather than setAutoCommit(false), which in sqlite-jdbc opens the next transaction
     * right after each commit and would hold the write lock while the connection sits in the pool.
     */
    @Override
    public String begin() {
        return "BEGIN IMMEDIATE";
    }

    @Override
    public boolean lostRace(Throwable failure) {
        return false;
    }

    /** BEGIN IMMEDIATE already serialises each migration's transaction. */
    @Override
    public void lockMigrations(Connection connection) {}

    @Override
    public void unlockMigrations(Connection connection) {}

    @Override
    public Dialect dialect() {
        return Dialect.SQLITE;
    }

    /** Fails with a plain sentence for the mistakes operators make: a directory, a read-only place. */
    @Override
    public void checkUsable() {
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

    @Override
    public DataSource dataSource() {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        config.enforceForeignKeys(true);
        SQLiteDataSource sqlite = new SQLiteDataSource(config);
        sqlite.setUrl("jdbc:sqlite:" + file);
        return sqlite;
    }

    @Override
    public String reason(Throwable failure) {
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
