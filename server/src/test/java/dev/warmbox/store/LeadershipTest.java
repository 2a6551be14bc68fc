package dev.warmbox.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Statement;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** One reconciler at a time across servers, taken over when its holder dies. */
class LeadershipTest {
    private static final String JOB = "the test job";

    @Test
    void theOnlyServerOnSqliteAlwaysLeads() {
        try (TestDatabase storage = TestDatabase.create(TestDatabase.Kind.SQLITE);
                Leadership one = storage.open().leadership(JOB); Leadership other = storage.open().leadership(JOB)) {
            assertThat(one.leading()).isTrue();
            assertThat(other.leading()).as("nothing changes on SQLite: one server per file").isTrue();
        }
    }

    @Test
    void oneServerLeadsUntilItDiesThenAnotherTakesOverWithinSeconds() throws Exception {
        try (TestDatabase storage = TestDatabase.create(TestDatabase.Kind.POSTGRESQL)) {
            Database first = storage.open();
            Database second = storage.open();
            Database third = storage.open();
            Leadership a = first.leadership(JOB);
            Leadership b = second.leadership(JOB);
            Leadership c = third.leadership(JOB);
            assertThat(a.leading()).as("the first to ask leads").isTrue();
            assertThat(a.heldSessionSetting("tcp_keepalives_idle")).as("a lost host's session ends in about 25 s, not two hours").contains("10");
            assertThat(a.heldSessionSetting("tcp_keepalives_interval")).contains("5");
            assertThat(a.heldSessionSetting("tcp_keepalives_count")).contains("3");
            assertThat(a.leading()).as("and keeps leading while its connection answers").isTrue();
            assertThat(b.leading()).as("one leader at a time").isFalse();
            assertThat(c.leading()).isFalse();
            assertThat(second.leadership("another job").leading()).as("each job has its own leader").isTrue();

            // The leader's process dies: its session ends as a SIGKILL ends it, without an unlock.
            first.withConnection(conn -> {
                try (Statement s = conn.createStatement()) {
                    return s.execute("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                            + "AND classid = 0 AND objid::bigint = " + a.key());
                }
            });
            long start = System.nanoTime();
            Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> b.leading() || c.leading());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("taken over within seconds").isLessThan(Duration.ofSeconds(5));
            assertThat(b.leading() && c.leading()).as("by exactly one of the two").isFalse();
            assertThat(a.leading()).as("the old leader, back, finds its connection gone and does not lead").isFalse();

            Leadership now = b.leading() ? b : c;
            Leadership waiting = now == b ? c : b;
            now.close();
            assertThat(waiting.leading()).as("a leader that stops gives the lead up at once").isTrue();
            a.close();
            waiting.close();
        }
    }
}
