package dev.warmbox.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warmbox.MutableClock;
import dev.warmbox.config.ConfigException;
import dev.warmbox.config.ServerSettings;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The servers table: a row per server, beats that always move it on, one live server per instance id. */
class ServerRegistryTest {
    /** No beat of the registries' own threads during a test: the tests beat by hand. */
    static final ServerSettings BY_HAND = new ServerSettings(Duration.ofHours(1), Duration.ofHours(3));
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T22:00:00Z"));

    @OnEachDatabase
    void aServerIsRegisteredAndEachBeatMovesItsRowOnEvenWhenItsClockStalls(TestDatabase storage) {
        try (ServerRegistry a = ServerRegistry.register(storage.open(), "a", BY_HAND, clock)) {
            ServerRegistry.Server row = a.find("a").orElseThrow();
            assertThat(row.startedAt()).isEqualTo(clock.instant());
            assertThat(row.lastSeen()).isEqualTo(clock.instant());
            assertThat(row.host()).isNotBlank();

            clock.advance(Duration.ofSeconds(5));
            assertThat(a.beat()).isTrue();
            assertThat(a.find("a").orElseThrow().lastSeen()).isEqualTo(clock.instant());
            assertThat(a.beat()).isTrue();
            assertThat(a.find("a").orElseThrow().lastSeen()).as("a stalled clock still moves the beat on, so the others see it")
                    .isEqualTo(clock.instant().plusMillis(1));
            assertThat(a.find("a").orElseThrow().startedAt()).isEqualTo(row.startedAt());
        }
    }

    @OnEachDatabase
    void aServerTakenForDeadWritesItsRowAgainAtItsNextBeat(TestDatabase storage) {
        try (ServerRegistry a = ServerRegistry.register(storage.open(), "a", BY_HAND, clock);
                ServerRegistry b = ServerRegistry.register(storage.open(), "b", BY_HAND, clock)) {
            assertThat(b.forget(b.find("a").orElseThrow())).isTrue();
            assertThat(b.servers()).extracting(ServerRegistry.Server::instanceId).containsExactly("b");
            assertThat(a.beat()).as("its row was gone").isFalse();
            assertThat(b.servers()).extracting(ServerRegistry.Server::instanceId).containsExactly("a", "b");
        }
    }

    @OnEachDatabase
    void aRowThatBeatSinceItWasReadIsNotForgotten(TestDatabase storage) {
        try (ServerRegistry a = ServerRegistry.register(storage.open(), "a", BY_HAND, clock);
                ServerRegistry b = ServerRegistry.register(storage.open(), "b", BY_HAND, clock)) {
            ServerRegistry.Server read = b.find("a").orElseThrow();
            clock.advance(Duration.ofSeconds(5));
            a.beat();
            assertThat(b.forget(read)).as("it lives after all").isFalse();
            assertThat(b.find("a")).isPresent();
        }
    }

    @OnEachDatabase
    void aServerThatStopsDeletesOnlyItsOwnRowAndItsIdCanBeUsedAgain(TestDatabase storage) {
        try (ServerRegistry b = ServerRegistry.register(storage.open(), "b", BY_HAND, clock)) {
            ServerRegistry.register(storage.open(), "a", BY_HAND, clock).close();
            assertThat(b.servers()).extracting(ServerRegistry.Server::instanceId).containsExactly("b");
            try (ServerRegistry again = ServerRegistry.register(storage.open(), "a", BY_HAND, clock, Duration.ZERO)) {
                assertThat(again.servers()).extracting(ServerRegistry.Server::instanceId).containsExactly("a", "b");
            }
        }
    }

    @Test
    void aSecondLiveServerUnderTheSameIdIsRefusedNamingTheVariableAndAKilledOnesIdIsFreeAtOnce() {
        try (TestDatabase storage = TestDatabase.create(TestDatabase.Kind.POSTGRESQL)) {
            Database first = storage.open();
            ServerRegistry a = ServerRegistry.register(first, "a", BY_HAND, clock);
            long started = System.nanoTime();
            assertThatThrownBy(() -> ServerRegistry.register(storage.open(), "a", BY_HAND, clock, Duration.ofMillis(600)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("another server on the PostgreSQL database")
                    .hasMessageContaining("runs with WARMBOX_INSTANCE_ID=a (on host " + a.find("a").orElseThrow().host())
                    .hasMessageContaining("needs its own WARMBOX_INSTANCE_ID");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("it waited for the id first").isGreaterThanOrEqualTo(Duration.ofMillis(600));
            assertThat(a.find("a").orElseThrow().startedAt()).as("the refused server wrote nothing").isEqualTo(clock.instant());

            endSessionHolding(first, "a"); // as a SIGKILL of the first server ends it
            clock.advance(Duration.ofSeconds(1));
            try (ServerRegistry restarted = ServerRegistry.register(storage.open(), "a", BY_HAND, clock, Duration.ZERO)) {
                assertThat(restarted.find("a").orElseThrow().startedAt()).as("the restart's own row").isEqualTo(clock.instant());
            }
            a.close();
        }
    }

    @Test
    void onSqliteOneFileHasOneServerSoTheIdIsNotChecked() {
        try (TestDatabase storage = TestDatabase.create(TestDatabase.Kind.SQLITE);
                ServerRegistry a = ServerRegistry.register(storage.open(), "a", BY_HAND, clock);
                ServerRegistry again = ServerRegistry.register(storage.open(), "a", BY_HAND, clock, Duration.ZERO)) {
            assertThat(again.servers()).hasSize(1);
        }
    }

    /** Ends the PostgreSQL session that holds a server's instance id, as the server's death would. */
    static void endSessionHolding(Database database, String instanceId) {
        long key = ServerRegistry.holderOf(database, instanceId).key();
        database.withConnection(connection -> {
            try (Statement s = connection.createStatement()) {
                return s.execute("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                        + "AND classid = 0 AND objid::bigint = " + key);
            }
        });
    }
}
