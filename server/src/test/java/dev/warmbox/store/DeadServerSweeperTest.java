package dev.warmbox.store;

import static dev.warmbox.store.ServerRegistryTest.BY_HAND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.warmbox.MutableClock;
import dev.warmbox.config.ServerSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A dead server's sandboxes removed by another, once, by one server at a time, and never a live one's. */
class DeadServerSweeperTest {
    private static final ServerSettings SETTINGS = new ServerSettings(Duration.ofSeconds(5), Duration.ofSeconds(30));
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T22:00:00Z"));
    private final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();
    /** Whose sandboxes were removed, by which sweeper, in order. */
    private final List<String> removed = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened.reversed()) c.close();
        opened.clear();
    }

    @OnEachDatabase
    void aServerThatStoppedBeatingIsSweptOnceDeadAfterHasPassedThenForgotten(TestDatabase storage) {
        ServerRegistry a = server(storage, "a");
        ServerRegistry b = server(storage, "b");
        ServerRegistry c = server(storage, "c");
        dies(storage, c);
        DeadServerSweeper sweeper = sweeper(storage, a, "a", () -> true);

        for (int second = 0; second < 30; second += 5) {
            sweeper.round();
            assertThat(removed).as("at %d s nobody is dead yet", second).isEmpty();
            tick(b);
        }
        sweeper.round();
        assertThat(removed).as("c, unchanged for 30 s; never a itself, which did not beat either, nor b").containsExactly("a:c");
        assertThat(a.servers()).extracting(ServerRegistry.Server::instanceId).containsExactly("a", "b");
        tick(b);
        sweeper.round();
        assertThat(removed).as("swept once").hasSize(1);
    }

    @OnEachDatabase
    void aRemovalThatLeftSomethingKeepsTheRowAndTheNextRoundTriesAgain(TestDatabase storage) {
        ServerRegistry a = server(storage, "a");
        ServerRegistry c = server(storage, "c");
        dies(storage, c);
        AtomicBoolean engineAnswers = new AtomicBoolean(false);
        DeadServerSweeper sweeper = sweeper(storage, a, "a", engineAnswers::get);
        sweeper.round();
        clock.advance(Duration.ofSeconds(30));
        sweeper.round();
        assertThat(a.find("c")).as("something of it is left").isPresent();
        engineAnswers.set(true);
        clock.advance(Duration.ofSeconds(5));
        sweeper.round();
        assertThat(removed).containsExactly("a:c", "a:c");
        assertThat(a.find("c")).isEmpty();
    }

    @Test
    void onlyTheLeaderOfTheSweepSweepsAndNeverAServerWhoseSessionStillHoldsItsId() throws Exception {
        try (TestDatabase storage = TestDatabase.create(TestDatabase.Kind.POSTGRESQL)) {
            ServerRegistry a = server(storage, "a");
            ServerRegistry b = server(storage, "b");
            ServerRegistry c = server(storage, "c");
            DeadServerSweeper leader = sweeper(storage, a, "a", () -> false);
            DeadServerSweeper follower = sweeper(storage, b, "b", () -> true);
            leader.round();
            follower.round();
            clock.advance(Duration.ofSeconds(35));
            a.beat();
            b.beat(); // c's heartbeat is stuck, but its process and its session live
            leader.round();
            follower.round();
            assertThat(removed).as("c stopped beating, but it still holds its instance id: alive").isEmpty();

            dies(storage, c);
            leader.round();
            follower.round();
            assertThat(removed).as("the leader sweeps c (and fails); the follower, which does not lead, leaves it").containsExactly("a:c");
            assertThat(a.find("c")).isPresent();
            close();
        }
    }

    private ServerRegistry server(TestDatabase storage, String id) {
        ServerRegistry registry = ServerRegistry.register(storage.open(), id, BY_HAND, clock);
        opened.add(registry);
        return registry;
    }

    private DeadServerSweeper sweeper(TestDatabase storage, ServerRegistry registry, String name, java.util.function.BooleanSupplier nothingLeft) {
        DeadServerSweeper sweeper = new DeadServerSweeper(storage.open(), registry, SETTINGS, id -> {
            removed.add(name + ":" + id);
            return nothingLeft.getAsBoolean();
        }, clock);
        opened.add(sweeper);
        return sweeper;
    }

    /** Five seconds pass, in which b (or a) beats. */
    private void tick(ServerRegistry beating) {
        clock.advance(Duration.ofSeconds(5));
        beating.beat();
    }

    /** The server stops beating (the tests beat by hand) and, on PostgreSQL, its session ends as a SIGKILL ends it. */
    private static void dies(TestDatabase storage, ServerRegistry server) {
        if (storage.kind() == TestDatabase.Kind.POSTGRESQL) {
            try (Database any = new Database(storage.settings())) {
                ServerRegistryTest.endSessionHolding(any, server.instanceId());
            }
        }
    }
}
