package dev.warmbox.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which servers stopped beating: those whose {@code last_seen} this observer has seen unchanged for
 * {@code deadAfter} by its own clock. A time another server wrote is never compared with this server's
 * clock, so hosts whose clocks disagree take nobody for dead. An observer that could not read the rows
 * forgets what it saw ({@link #forgetSightings}): after the database was away, every server needs time to
 * beat again, and rows left unchanged by the outage must not read as deaths. Pure: the caller reads the rows.
 */
final class DeadServers {
    private final Duration deadAfter;
    private Map<String, Sighting> sightings = new HashMap<>();

    private record Sighting(Instant lastSeen, Instant unchangedSince) {}

    DeadServers(Duration deadAfter) {
        this.deadAfter = deadAfter;
    }

    /** Records what the rows say now and returns the servers among them whose beat has not changed for deadAfter. */
    List<ServerRegistry.Server> observe(Collection<ServerRegistry.Server> servers, Instant now) {
        Map<String, Sighting> next = new HashMap<>();
        List<ServerRegistry.Server> dead = new ArrayList<>();
        for (ServerRegistry.Server server : servers) {
            Sighting before = sightings.get(server.instanceId());
            Sighting sighting = before != null && before.lastSeen().equals(server.lastSeen()) ? before : new Sighting(server.lastSeen(), now);
            next.put(server.instanceId(), sighting);
            if (!now.isBefore(sighting.unchangedSince().plus(deadAfter))) dead.add(server);
        }
        sightings = next;
        return dead;
    }

    /** Starts over: no server is dead before it has been seen unchanged for deadAfter from the next observation. */
    void forgetSightings() {
        sightings = new HashMap<>();
    }
}
