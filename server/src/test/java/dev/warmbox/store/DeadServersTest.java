package dev.warmbox.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Dead is a beat this observer saw unchanged for deadAfter by its own clock, whatever the other server's clock says. */
class DeadServersTest {
    private static final Instant T0 = Instant.parse("2026-12-07T22:00:00Z");
    private final DeadServers dead = new DeadServers(Duration.ofSeconds(30));

    @Test
    void aServerWhoseBeatStaysUnchangedForDeadAfterIsDeadAndOneThatBeatsIsNot() {
        Instant beating = T0;
        for (int s = 0; s < 30; s += 5) {
            assertThat(dead.observe(List.of(server("still", T0), server("beating", beating)), T0.plusSeconds(s))).isEmpty();
            beating = beating.plusSeconds(5);
        }
        assertThat(dead.observe(List.of(server("still", T0), server("beating", beating)), T0.plusSeconds(30)))
                .as("unchanged for 30 s of the observer's time").extracting(ServerRegistry.Server::instanceId).containsExactly("still");
    }

    @Test
    void anotherServersClockIsNeverComparedWithTheObserversSoSkewMakesNobodyDead() {
        Instant anHourBehind = T0.minus(Duration.ofHours(1));
        assertThat(dead.observe(List.of(server("behind", anHourBehind)), T0)).as("first seen now, whatever its time says").isEmpty();
        assertThat(dead.observe(List.of(server("behind", anHourBehind.plusSeconds(5))), T0.plusSeconds(29))).isEmpty();
        assertThat(dead.observe(List.of(server("behind", anHourBehind.plusSeconds(5))), T0.plusSeconds(58)))
                .as("29 s since its beat changed").isEmpty();
        assertThat(dead.observe(List.of(server("behind", anHourBehind.plusSeconds(5))), T0.plusSeconds(59))).hasSize(1);
    }

    @Test
    void afterAnOutageRowsLeftUnchangedByItAreNotDeathsUntilDeadAfterFromTheNextLook() {
        dead.observe(List.of(server("a", T0)), T0);
        dead.forgetSightings(); // the rows could not be read for a minute: nobody could beat either
        assertThat(dead.observe(List.of(server("a", T0)), T0.plusSeconds(60))).as("seen anew after the outage").isEmpty();
        assertThat(dead.observe(List.of(server("a", T0.plusSeconds(62))), T0.plusSeconds(65))).as("it beats again").isEmpty();
        assertThat(dead.observe(List.of(server("a", T0.plusSeconds(62))), T0.plusSeconds(95))).hasSize(1);
    }

    @Test
    void aServerThatLeftAndCameBackIsSeenAnew() {
        dead.observe(List.of(server("a", T0)), T0);
        dead.observe(List.of(), T0.plusSeconds(20));
        assertThat(dead.observe(List.of(server("a", T0)), T0.plusSeconds(40))).as("its row was gone in between").isEmpty();
        assertThat(dead.observe(List.of(server("a", T0)), T0.plusSeconds(70))).hasSize(1);
    }

    private static ServerRegistry.Server server(String id, Instant lastSeen) {
        return new ServerRegistry.Server(id, "host", T0, lastSeen);
    }
}
