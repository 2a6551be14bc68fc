package dev.warmbox.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warmbox.config.DatabaseSettings;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What only PostgreSQL has to show: several servers on one database, and failures an operator reads. */
class PostgresDatabaseTest {
    private final PostgresCluster cluster = PostgresCluster.shared();
    private final DatabaseSettings.Postgres settings = cluster.newDatabase();
    private final List<Database> opened = new ArrayList<>();

    @AfterEach
    void drop() {
        opened.forEach(Database::close);
        cluster.drop(settings);
    }

    @Test
    void serversStartingTogetherOnOneDatabaseApplyEachMigrationOnce() throws Exception {
        int servers = 4;
        try (ExecutorService threads = Executors.newFixedThreadPool(servers)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Database>> starts = new ArrayList<>();
            for (int i = 0; i < servers; i++) {
                starts.add(threads.submit(() -> {
                    go.await();
                    return new Database(settings);
                }));
            }
            go.countDown();
            for (Future<Database> start : starts) opened.add(start.get());
        }
        List<Integer> versions = opened.getFirst().withConnection(c -> {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT version FROM schema_migrations ORDER BY version")) {
                List<Integer> found = new ArrayList<>();
                while (r.next()) found.add(r.getInt(1));
                return found;
            }
        });
        assertThat(versions).as("every migration recorded once, though four servers started at the same moment")
                .containsExactlyElementsOf(Migrations.ALL.stream().map(Migration::version).toList());
    }

    @Test
    void aTransactionThatLosesARaceWithAnotherServerIsRunAgainSoNoWriteIsLost() throws Exception {
        Database first = open();
        Database second = open();
        first.inTransaction(c -> Database.update(c, "CREATE TABLE counter (n INTEGER NOT NULL)") + Database.update(c, "INSERT INTO counter VALUES (0)"));
        int increments = 40;
        try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < increments; i++) {
                Database server = i % 2 == 0 ? first : second;
                // Read, then write what was read plus one: under READ COMMITTED two of these would both read n and lose one.
                done.add(threads.submit(() -> server.inTransaction(c -> {
                    int n;
                    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT n FROM counter")) {
                        r.next();
                        n = r.getInt(1);
                    }
                    return Database.update(c, "UPDATE counter SET n = ?", n + 1);
                })));
            }
            for (Future<?> f : done) f.get();
        }
        int n = first.withConnection(c -> {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT n FROM counter")) {
                r.next();
                return r.getInt(1);
            }
        });
        assertThat(n).as("every read-then-write counted once, from two servers at once").isEqualTo(increments);
    }

    @Test
    void aNewerSchemaIsRefusedNamingTheDatabase() {
        List<Migration> newer = new ArrayList<>(Migrations.ALL);
        newer.add(new Migration(Migrations.ALL.getLast().version() + 1, "CREATE TABLE later (id TEXT)"));
        new Database(settings, newer, Clock.systemUTC()).close();
        assertThatThrownBy(() -> new Database(settings))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("the PostgreSQL database " + settings.address() + " (WARMBOX_DATABASE_URL) was written by a newer version");
    }

    @Test
    void aRefusedPasswordAMissingDatabaseOrNoServerIsOneSentenceWithoutThePassword() {
        DatabaseSettings.Postgres wrongPassword = new DatabaseSettings.Postgres(settings.jdbcUrl(), settings.address(), settings.user(),
                Optional.of("hunter2"));
        assertThatThrownBy(() -> new Database(wrongPassword)).isInstanceOf(StoreException.class)
                .hasMessage("cannot open the PostgreSQL database " + settings.address() + " (WARMBOX_DATABASE_URL): the password of user "
                        + settings.user() + " was refused");
        DatabaseSettings.Postgres missing = cluster.settings("absent");
        assertThatThrownBy(() -> new Database(missing)).isInstanceOf(StoreException.class)
                .hasMessageEndingWith("the database does not exist (create it first: createdb)");
        DatabaseSettings.Postgres nobody = new DatabaseSettings.Postgres("jdbc:postgresql://127.0.0.1:1/wb", "127.0.0.1:1/wb", "w", Optional.of("hunter2"));
        assertThatThrownBy(() -> new Database(nobody)).isInstanceOf(StoreException.class)
                .hasMessageStartingWith("cannot open the PostgreSQL database 127.0.0.1:1/wb (WARMBOX_DATABASE_URL): ")
                .hasMessageNotContaining("hunter2").hasMessageNotContaining("Exception");
    }

    private Database open() {
        Database database = new Database(settings);
        opened.add(database);
        return database;
    }
}
