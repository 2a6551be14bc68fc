package dev.warmbox.store;

import dev.warmbox.config.DatabaseSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A test's own empty database, opened as often as the test likes (a reopen is a restart): a SQLite file
 * in a directory of its own, or a database of its own on the {@link PostgresCluster}. Closing it closes
 * what it opened and removes the file or the database.
 */
public abstract sealed class TestDatabase implements AutoCloseable {
    private final List<Database> opened = new ArrayList<>();

    /** The two kinds, by the name a test's display name shows. */
    public enum Kind { SQLITE, POSTGRESQL }

    public static TestDatabase create(Kind kind) {
        return switch (kind) {
            case SQLITE -> new SqliteTest();
            case POSTGRESQL -> new PostgresTest(PostgresCluster.shared());
        };
    }

    public abstract DatabaseSettings settings();

    public abstract Kind kind();

    /** A new Database on this storage, closed with it at the latest. */
    public synchronized Database open() {
        Database database = new Database(settings());
        opened.add(database);
        return database;
    }

    @Override
    public synchronized void close() {
        for (Database database : opened) database.close();
        opened.clear();
        remove();
    }

    abstract void remove();

    @Override
    public String toString() {
        return kind().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static final class SqliteTest extends TestDatabase {
        private final Path dir;

        SqliteTest() {
            try {
                dir = Files.createTempDirectory("warmbox-db-test-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public DatabaseSettings settings() {
            return new DatabaseSettings.Sqlite(dir.resolve("warmbox.db"));
        }

        @Override
        public Kind kind() {
            return Kind.SQLITE;
        }

        @Override
        void remove() {
            try (Stream<Path> entries = Files.walk(dir)) {
                for (Path entry : entries.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(entry);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final class PostgresTest extends TestDatabase {
        private final PostgresCluster cluster;
        private final DatabaseSettings.Postgres settings;

        PostgresTest(PostgresCluster cluster) {
            this.cluster = cluster;
            this.settings = cluster.newDatabase();
        }

        @Override
        public DatabaseSettings settings() {
            return settings;
        }

        @Override
        public Kind kind() {
            return Kind.POSTGRESQL;
        }

        @Override
        void remove() {
            cluster.drop(settings);
        }
    }
}
