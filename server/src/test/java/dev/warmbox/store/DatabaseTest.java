package dev.warmbox.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-02T03:04:05Z"), ZoneOffset.UTC);

    /** The version after the last shipped migration, for tests that append one. */
    private static final int NEXT = Migrations.ALL.getLast().version() + 1;

    @TempDir
    Path dir;

    private static List<String> recorded(List<Migration> migrations, String at) {
        return migrations.stream().map(m -> m.version() + " " + at).toList();
    }

    @Test
    void migrationsAreAppliedOnceAndRecorded() {
        Path file = dir.resolve("warmbox.db");
        try (Database database = new Database(file, Migrations.ALL, CLOCK)) {
            assertThat(appliedMigrations(database)).as("the first open records every migration with its time")
                    .containsExactlyElementsOf(recorded(Migrations.ALL, "2025-01-02T03:04:05Z"));
            assertThat(tables(database)).as("migration 1 created the key table").contains("api_keys");
        }
        Clock later = Clock.offset(CLOCK, Duration.ofDays(1));
        try (Database database = new Database(file, Migrations.ALL, later)) {
            assertThat(appliedMigrations(database)).as("reopening applies nothing again and keeps the original time")
                    .containsExactlyElementsOf(recorded(Migrations.ALL, "2025-01-02T03:04:05Z"));
        }
    }

    @Test
    void aMigrationAppendedLaterIsAppliedOnTopOfTheExistingSchema() {
        Path file = dir.resolve("warmbox.db");
        new Database(file, Migrations.ALL, CLOCK).close();
        List<Migration> withNext = new ArrayList<>(Migrations.ALL);
        withNext.add(new Migration(NEXT, "CREATE TABLE appended (id TEXT PRIMARY KEY)",
                "CREATE INDEX appended_by_id ON appended (id)"));
        try (Database database = new Database(file, withNext, CLOCK)) {
            assertThat(appliedMigrations(database)).as("only the new migration ran, and it was recorded")
                    .containsExactlyElementsOf(recorded(withNext, "2025-01-02T03:04:05Z"));
            assertThat(tables(database)).as("all statements of the new migration ran").contains("api_keys", "appended");
        }
    }

    @Test
    void aFailedMigrationLeavesNeitherItsChangesNorItsRecord() {
        Path file = dir.resolve("warmbox.db");
        List<Migration> broken = new ArrayList<>(Migrations.ALL);
        broken.add(new Migration(NEXT, "CREATE TABLE half (id TEXT)", "THIS IS NOT SQL"));
        assertThatThrownBy(() -> new Database(file, broken, CLOCK)).isInstanceOf(StoreException.class);
        try (Database database = new Database(file, Migrations.ALL, CLOCK)) {
            assertThat(tables(database)).as("the first statement of the failed migration was rolled back")
                    .doesNotContain("half");
            assertThat(appliedMigrations(database)).as("the failed migration was not recorded")
                    .containsExactlyElementsOf(recorded(Migrations.ALL, "2025-01-02T03:04:05Z"));
        }
    }

    @Test
    void refusesADatabaseWrittenByANewerVersion() {
        Path file = dir.resolve("warmbox.db");
        List<Migration> newer = new ArrayList<>(Migrations.ALL);
        newer.add(new Migration(NEXT, "CREATE TABLE future (id TEXT)"));
        new Database(file, newer, CLOCK).close();
        assertThatThrownBy(() -> new Database(file, Migrations.ALL, CLOCK))
                .as("old code must not run on a schema it does not know")
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("newer version of warmbox");
    }

    @Test
    void rejectsMigrationsOutOfOrder() {
        List<Migration> shuffled = List.of(new Migration(2, "SELECT 1"), new Migration(1, "SELECT 1"));
        assertThatThrownBy(() -> new Database(dir.resolve("warmbox.db"), shuffled, CLOCK))
                .as("a migration list out of order is a programming mistake caught at start-up")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("versions must increase");
    }

    @Test
    void everyPooledConnectionHasWalBusyTimeoutAndForeignKeys() {
        try (Database database = new Database(dir.resolve("warmbox.db"))) {
            // Nested, so each level holds a different connection from the pool.
            List<String> settings = database.withConnection(a -> database.withConnection(b -> database.withConnection(c ->
                    List.of(pragmas(a), pragmas(b), pragmas(c)))));
            assertThat(settings).as("SQLite settings are per connection, so every one must have them")
                    .containsOnly("wal 5000 1");
        }
    }

    @Test
    void rollsBackATransactionWhoseWorkThrows() {
        try (Database database = new Database(dir.resolve("warmbox.db"))) {
            assertThatThrownBy(() -> database.inTransaction(c -> {
                Database.execute(c, "INSERT INTO api_keys VALUES ('k', 'n', x'00', 'admin', 't')");
                throw new IllegalStateException("boom");
            })).hasMessage("boom");
            int rows = database.withConnection(c -> count(c, "SELECT count(*) FROM api_keys"));
            assertThat(rows).as("the insert before the failure was rolled back").isZero();
        }
    }

    @Test
    void createsMissingParentDirectories() {
        Path file = dir.resolve("a/b/warmbox.db");
        new Database(file).close();
        assertThat(file).as("the database file is created with its directories").isRegularFile();
    }

    @Test
    void unwritableDatabasePathGivesAClearMessage() throws IOException {
        // Root ignores permissions, but nobody can create a directory inside a regular file.
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        Path file = notADirectory.resolve("data/warmbox.db");
        assertThatThrownBy(() -> new Database(file))
                .isInstanceOf(StoreException.class)
                .as("the message names the path and says why, without SQL jargon")
                .hasMessage("cannot create the directory " + file.getParent() + " for the database file " + file
                        + ": " + notADirectory + " is a file, not a directory");
    }

    @Test
    void aDirectoryAsDatabasePathGivesAClearMessage() throws IOException {
        Path directory = Files.createDirectory(dir.resolve("warmbox.db"));
        assertThatThrownBy(() -> new Database(directory))
                .isInstanceOf(StoreException.class)
                .as("the message names the path and says it is a directory")
                .hasMessage("the database path " + directory + " is a directory; it must name a file, such as "
                        + directory.resolve("warmbox.db"));
    }

    @Test
    void aFileThatIsNotADatabaseGivesAClearMessage() throws IOException {
        Path file = Files.writeString(dir.resolve("warmbox.db"), "these are my notes, not a database ".repeat(100));
        assertThatThrownBy(() -> new Database(file))
                .isInstanceOf(StoreException.class)
                .as("the message names the file and says what it is not")
                .hasMessage("cannot open the database file " + file + ": the file is not a SQLite database");
    }

    private static List<String> appliedMigrations(Database database) {
        return database.withConnection(c -> strings(c, "SELECT version || ' ' || applied_at FROM schema_migrations ORDER BY version"));
    }

    private static List<String> tables(Database database) {
        return database.withConnection(c -> strings(c, "SELECT name FROM sqlite_master WHERE type = 'table'"));
    }

    private static String pragmas(Connection c) throws SQLException {
        return strings(c, "PRAGMA journal_mode").getFirst() + " " + strings(c, "PRAGMA busy_timeout").getFirst() + " "
                + strings(c, "PRAGMA foreign_keys").getFirst();
    }

    private static int count(Connection c, String sql) throws SQLException {
        return Integer.parseInt(strings(c, sql).getFirst());
    }

    static List<String> strings(Connection c, String sql) throws SQLException {
        try (Statement statement = c.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rows.next()) values.add(rows.getString(1));
            return values;
        }
    }
}
